/**
 * npm 11 runs a dependency's install scripts only when package.json's `allowScripts` approves it, and ends
 * `npm ci` with a warning naming every package whose scripts no entry covers. The entries must be exactly the
 * packages the lock marks `hasInstallScript` (each decided once: run or skip), so a fresh `npm ci` prints no
 * warning and no entry is left over from a package that no longer has a script. Run: esbuild (checks its
 * platform binary), @tensorflow/tfjs-node (downloads libtensorflow), msgpackr-extract (finds its prebuilt addon);
 * skipped: core-js (its postinstall only prints a banner).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

/** `node_modules/a/node_modules/@s/b` → `@s/b`: the package a lock key installs. */
const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('allowScripts', () => {
  it('names exactly the locked packages with install scripts', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([key, p]) => key !== '' && p.hasInstallScript)
      .map(([key]) => nameOf(key));
    expect(Object.keys(pkg.allowScripts).sort()).toEqual([...new Set(withScripts)].sort());
  });
});
