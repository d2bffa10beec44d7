/**
 * Two-slot blob checkpoints (`src/node/run/slots.ts`): every blob write goes to the slot `checkpoint.json`
 * does not reference, including the first write after a resume.
 */
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/node/run/experiment.js';
import { SlotCheckpoints } from '../src/node/run/slots.js';

/** An in-memory run folder; `writeFile` fails the test if it overwrites the blob `checkpoint.json` points to. */
function folder() {
  const files = new Map<string, string>();
  let checkpoint: Checkpoint<{ file: string }> | null = null;
  const ctx = {
    loadCheckpoint: <T>() => checkpoint as Checkpoint<T> | null,
    readFile: (name: string) => (files.has(name) ? new TextEncoder().encode(files.get(name)) : null),
    writeFile(name: string, data: string | Uint8Array) {
      expect(name).not.toBe(checkpoint?.state.file);
      files.set(name, String(data));
    },
    checkpoint(step: number, state: unknown) {
      checkpoint = { step, state: state as { file: string } };
    },
  };
  return { ctx, files, current: () => checkpoint };
}

describe('SlotCheckpoints', () => {
  it('alternates slots and never overwrites the referenced blob, also right after a resume', () => {
    const { ctx, files, current } = folder();
    const fresh = new SlotCheckpoints(ctx, 'state');
    expect(fresh.load()).toBeNull();
    fresh.save(10, 'a');
    fresh.save(20, 'b');
    fresh.save(30, 'c');
    expect(current()).toEqual({ step: 30, state: { file: 'state-0.json' } });

    // Resume with checkpoint.json on slot 0: the blob is read back, the next write goes to slot 1.
    const resumed = new SlotCheckpoints(ctx, 'state');
    expect(resumed.load()).toBe('c');
    resumed.save(40, 'd');
    expect(current()).toEqual({ step: 40, state: { file: 'state-1.json' } });
    expect(files.get('state-0.json')).toBe('c');
    resumed.save(50, 'e');
    expect(current()?.state.file).toBe('state-0.json');
  });

  it('names the missing blob', () => {
    const { ctx } = folder();
    ctx.checkpoint(5, { file: 'state-1.json' });
    expect(() => new SlotCheckpoints(ctx, 'state').load()).toThrow(
      /checkpoint.json points to state-1.json, which is missing/,
    );
  });
});
