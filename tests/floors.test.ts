import { describe, expect, it } from 'vitest';
import { areaOf, floorViolations, importsOf } from '../scripts/floors.js';

const check = (files: Record<string, string>): string[] => floorViolations(new Map(Object.entries(files)));

describe('the floor checker (scripts/floors.ts)', () => {
  it('allows imports down a floor and within an area', () => {
    expect(
      check({
        'src/agents/sac/loop.ts': "import { x } from '../../core/rng.js';\nimport { y } from '../replay.js';",
        'src/viz/panel.ts': "import { z } from '../agents/exact/index.js';\nimport * as PIXI from 'pixi.js';",
        'experiments/a.ts': "import { readFileSync } from 'node:fs';\nimport { w } from '../src/node/run/rundir.js';",
        'src/node/a.ts': "import { Queue } from 'bullmq';",
      }),
    ).toEqual([]);
  });

  it('names the file, the import and both floors of an upward or sideways import', () => {
    expect(
      check({
        'src/core/backend.ts': "import { loadSacEngine } from '../nn/engine/core.js';",
        'src/node/sweep/trial.ts': "export { EXPERIMENTS } from '../../../experiments/index.js';",
        'src/envs/a.ts': "const m = await import('../nn/mlp.js');",
        'src/priors/a.ts': "import type { T } from '../../tests/numeric.js';",
      }),
    ).toEqual([
      "src/core/backend.ts: imports '../nn/engine/core.js': core (floor 0) → nn (floor 1)",
      "src/node/sweep/trial.ts: imports '../../../experiments/index.js': node (floor 4) → experiments (floor 5)",
      "src/envs/a.ts: imports '../nn/mlp.js': envs (floor 1) → nn (floor 1)",
      "src/priors/a.ts: imports '../../tests/numeric.js': priors (floor 2) → top (floor 6)",
    ]);
  });

  it('keeps Node-only modules out of browser code, but not type-only imports of them', () => {
    expect(
      check({
        'src/viz/a.ts': "import { readFileSync } from 'fs';\nimport 'node:path';",
        'src/nn/a.ts': "import { Worker } from 'worker_threads';\nlet fs: typeof import('node:fs/promises');",
        'src/agents/a.ts': "import type { Redis } from 'ioredis';\nimport * as tfn from '@tensorflow/tfjs-node';",
      }),
    ).toEqual([
      "src/viz/a.ts: imports 'fs': viz (floor 4, browser) → Node-only module",
      "src/viz/a.ts: imports 'node:path': viz (floor 4, browser) → Node-only module",
      "src/nn/a.ts: imports 'worker_threads': nn (floor 1, browser) → Node-only module",
      "src/agents/a.ts: imports '@tensorflow/tfjs-node': agents (floor 3, browser) → Node-only module",
    ]);
  });

  it('reports a src folder that is on no floor, and leaves the top floor unchecked', () => {
    expect(areaOf('src/widgets/a.ts')).toBeUndefined();
    expect(areaOf('package.json')).toBeNull();
    expect(check({ 'src/widgets/a.ts': '', 'tests/a.test.ts': "import 'node:fs';" })).toEqual([
      'src/widgets/a.ts: its folder is on no floor (add it to FLOORS in scripts/floors.ts)',
    ]);
  });

  it('finds static, re-exported, side-effect and literal dynamic imports, not variable ones', () => {
    const src =
      "import a from 'a';\nexport * from 'b';\nimport 'c';\nawait import('d');\nconst m = 'e';\nawait import(m);";
    expect(importsOf('x.ts', src).map((r) => r.specifier)).toEqual(['a', 'b', 'c', 'd']);
  });
});
