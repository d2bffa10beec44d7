/**
 * The vitest hooks every browser test file needs, registered once here (not in `vizHarness.ts`:
 * `bench/viz.ts` imports that outside vitest). Sets up, before the file's tests: the `artifacts` folder for
 * screenshots, a fresh runs folder `priorlab-<name>-…` under the temp folder (which `fill` may write synthetic
 * runs into), and a session (vite + chromium) serving it. Before each test: empties `errors`. Tears down, after
 * the file: closes the session and removes the runs folder.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startViz, type VizSession } from './vizHarness.js';

export interface VizSessionOptions {
  /** The folder made for the file's screenshots; default `test-artifacts`. */
  artifacts?: string;
  /** Writes runs into the fresh runs folder before the server starts. */
  fill?: (runsDir: string) => void;
}

export interface UsedVizSession {
  /** The console errors of the current test's pages (pass it to `openPanel`): one array, emptied in place. */
  readonly errors: string[];
  readonly artifacts: string;
  /** Started in `beforeAll`: read it inside a test or a hook. */
  readonly session: VizSession;
  readonly runsDir: string;
}

export function useVizSession(name: string, opts: VizSessionOptions = {}): UsedVizSession {
  const artifacts = opts.artifacts ?? 'test-artifacts';
  const errors: string[] = [];
  let session: VizSession | undefined;
  let runsDir: string | undefined;
  // Not the project's hook timeout: engine-browser.test.ts runs in the unit project, whose hooks get 30 s.
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    runsDir = mkdtempSync(join(tmpdir(), `priorlab-${name}-`));
    opts.fill?.(runsDir);
    session = await startViz(runsDir);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    if (runsDir) rmSync(runsDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    errors.length = 0;
  });
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`useVizSession('${name}').${what}: not started yet (read it in a test)`);
    return v;
  };
  return {
    errors,
    artifacts,
    get session() {
      return started(session, 'session');
    },
    get runsDir() {
      return started(runsDir, 'runsDir');
    },
  };
}
