/** Helpers of the experiment contract (`src/node/run/experiment.ts`): part streams and cumulative steps. */
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../src/core/rng.js';
import { partStreams, sequentialParts, type RunContext } from '../src/node/run/experiment.js';

describe('partStreams', () => {
  it('same seed and part → same numbers; different from ctx.streams and from other parts', () => {
    const draw = (streams: RngStreams) => [streams.get('noise').uint32(), streams.get('noise').uint32()];
    const a = draw(partStreams({ seed: 3 }, 'eval'));
    expect(draw(partStreams({ seed: 3 }, 'eval'))).toEqual(a);
    expect(draw(partStreams({ seed: 4 }, 'eval'))).not.toEqual(a);
    expect(draw(partStreams({ seed: 3 }, 'train'))).not.toEqual(a);
    // ctx.streams is `new RngStreams(seed)`: even a stream named like the part's path is another generator.
    const root = new RngStreams(3);
    expect([root.get('eval/noise').uint32(), root.get('eval/noise').uint32()]).not.toEqual(a);
  });
});

describe('sequentialParts', () => {
  it('each part logs after the last step every earlier part logged', () => {
    const logged: number[] = [];
    const ctx = { log: (step: number) => logged.push(step) } as unknown as RunContext;
    const parts = sequentialParts(ctx, 100);
    const first = parts.next();
    first.log(10, {});
    first.log(20, {});
    parts.next(); // logs nothing
    const third = parts.next();
    third.log(5, {});
    third.log(7, {});
    parts.next().log(1, {});
    expect(logged).toEqual([10, 20, 25, 27, 28]);
  });

  it('progress counts the same offset steps as the log, out of the whole run', () => {
    const shown: Array<[number, number]> = [];
    const ctx = {
      log: () => {},
      progress: (step: number, total: number) => shown.push([step, total]),
    } as unknown as RunContext;
    const parts = sequentialParts(ctx, 60);
    const first = parts.next();
    first.progress(10, 30);
    first.log(30, {});
    parts.next().progress(15, 30);
    expect(shown).toEqual([
      [10, 60],
      [45, 60],
    ]);
  });
});
