/**
 * Guidance that is true (issue #27): resume is offered only where it works, an option the run ignores is
 * said so, `enjoy --out` is checked against its extension, every closed set suggests its closest member, and
 * suggested commands start with the prefix the user typed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../bin/priorlab.mjs');
const ENV = { ...process.env, CI: '1', COLUMNS: '80' };
const cli = (args: string[], env: NodeJS.ProcessEnv = { npm_lifecycle_event: 'exp' }) => {
  const cwd = mkdtempSync(join(tmpdir(), 'priorlab-guidance-'));
  return { cwd, ...spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...ENV, ...env } }) };
};

describe('suggestions for every closed set, with the right prefix', () => {
  it.each([
    [['trian'], /unknown experiment 'trian' \(did you mean 'train'\?\); 'npm run exp -- list' shows them all/],
    [['train', '--env', 'Pendulum'], /--env: 'Pendulum' is not registered \(did you mean 'Pendulum-v1'\?\); allowed:/],
    [['train', '--set', 'hiden=[8]'], /--set: sac has no hyperparameter 'hiden' \(did you mean 'hidden'\?\); allowed:/],
    [['train', '--algo', 'sca'], /--algo: got 'sca' \(did you mean 'sac'\?\); allowed: sac\|/],
    [['tabular-q', '--env', 'cliffwalking'], /--env: got 'cliffwalking' \(did you mean 'CliffWalking-v1'\?\)/],
    [['enjoy', 'nowhere', '--out', 'x.png'], /--out: got 'x.png'; allowed: a file name ending in \.gif/],
  ])('%j', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('under npx the suggestion says npx priorlab', () => {
    expect(cli(['trian'], { npm_lifecycle_event: 'npx' }).stderr).toMatch(/'npx priorlab list' shows them all/);
  });
});

describe('ignored options and resume', () => {
  it('--prior none --alpha 0.2 says in one line that α is ignored', () => {
    const r = cli(['tabular-q', '--prior', 'none', '--alpha', '0.2', '--steps', '300', '--log-every', '100']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^note: --alpha 0\.2 is ignored: the objective of --prior none does not use it$/m);
  });

  it('Ctrl-C on gridworld-priors (no checkpoints) does not offer --resume', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'priorlab-guidance-'));
    const child = spawn(process.execPath, [BIN, 'gridworld-priors', '--sac-steps', '200000'], {
      cwd,
      env: { ...ENV, npm_lifecycle_event: 'exp' },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const t0 = Date.now();
    while (!/run folder: /.test(out) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // into the first column's training
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).not.toMatch(/resume with/);
    expect(out.replace(/\s+/g, ' ')).toMatch(
      /stopped; gridworld-priors writes no checkpoints, so it cannot be resumed: start it again/,
    );
    expect(existsSync(join(cwd, 'runs')) && readdirSync(join(cwd, 'runs')).length).toBe(1);
  });
});
