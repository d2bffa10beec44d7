/**
 * vitest globalSetup: every temp folder a test makes (`mkdtempSync(join(tmpdir(), …))`, the CLI's child
 * processes, chromium's profile) goes under one fresh root, removed when the run ends, so `npm test`
 * leaves nothing behind in the system's temp folder. The forked test workers inherit `TMPDIR`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'priorlab-test-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
