/**
 * vitest globalSetup: every temp folder a test makes (`mkdtempSync(join(tmpdir(), …))`, the CLI's child
 * processes, chromium's profile) goes under one fresh root, removed when the run ends, so `npm test`
 * leaves nothing behind in the system's temp folder. The forked test workers inherit `TMPDIR`. vitest
 * calls this once per project: the first call makes the root, the others find it (nesting roots would
 * make paths too long for chromium's sockets).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT_VAR = 'PRIORLAB_TEST_TMP';

export default function setup(): () => void {
  if (process.env[ROOT_VAR]) return () => {};
  const root = mkdtempSync(join(tmpdir(), 'priorlab-test-'));
  process.env[ROOT_VAR] = root;
  process.env.TMPDIR = root;
  return () => {
    rmSync(root, { recursive: true, force: true });
  };
}
