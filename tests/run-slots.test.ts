/**
 * Blob checkpoints (`src/node/run/slots.ts`): a blob is never written over the one `checkpoint.json`
 * references, its sha256 is recorded beside the reference and checked on load, and the older blobs are removed
 * once a newer checkpoint has landed (the folder holds only the blob of its checkpoint).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../src/node/run/experiment.js';
import { checkSlotBlob, SlotCheckpoints, slotStateSchema } from '../src/node/run/slots.js';

type Ref = { file: string; sha256: string };

/** A run folder on disk; `writeFile` fails the test if it overwrites the blob `checkpoint.json` points to. */
function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'priorlab-slots-'));
  let checkpoint: Checkpoint<Ref> | null = null;
  const ctx = {
    dir,
    loadCheckpoint: <T>() => checkpoint as Checkpoint<T> | null,
    readFile: (name: string) => (existsSync(join(dir, name)) ? new Uint8Array(readFileSync(join(dir, name))) : null),
    writeFile(name: string, data: string | Uint8Array) {
      expect(name).not.toBe(checkpoint?.state.file);
      writeFileSync(join(dir, name), data);
    },
    checkpoint(step: number, state: unknown) {
      checkpoint = { step, state: state as Ref };
    },
  };
  return { ctx, dir, current: () => checkpoint };
}

describe('SlotCheckpoints', () => {
  it('one blob per checkpoint step, the older ones removed, never overwriting the referenced one', () => {
    const { ctx, dir, current } = folder();
    const fresh = new SlotCheckpoints(ctx, 'state');
    expect(fresh.load()).toBeNull();
    fresh.save(10, 'a');
    fresh.save(20, 'b');
    writeFileSync(join(dir, 'state-25.json'), 'left by a killed run');
    fresh.save(30, 'c');
    expect(current()?.state.file).toBe('state-30.json');
    expect(readdirSync(dir)).toEqual(['state-30.json']);

    writeFileSync(join(dir, 'state-35.json'), 'a blob a killed run wrote but never pointed checkpoint.json to');
    const resumed = new SlotCheckpoints(ctx, 'state');
    expect(readdirSync(dir)).toEqual(['state-30.json']);
    expect(resumed.load()).toBe('c');
    resumed.save(30, 'c'); // a second checkpoint on the same step goes beside it
    expect(current()?.state.file).toBe('state-30b.json');
    resumed.save(40, 'd');
    expect(readdirSync(dir)).toEqual(['state-40.json']);
    expect(slotStateSchema('state').safeParse(current()?.state).success).toBe(true);
  });

  it('names a missing blob and refuses one whose sha256 differs', () => {
    const { ctx, dir } = folder();
    new SlotCheckpoints(ctx, 'state').save(5, '{"w":[1,2,3]}');
    writeFileSync(join(dir, 'state-5.json'), '{"w":[1,2,4]}');
    expect(() => new SlotCheckpoints(ctx, 'state').load()).toThrow(/state-5.json: sha256 does not match/);
    expect(() => checkSlotBlob(dir, ctx.loadCheckpoint()!.state)).toThrow(/state-5.json: sha256 does not match/);
    ctx.checkpoint(5, { file: 'state-6.json', sha256: '0'.repeat(64) });
    expect(() => new SlotCheckpoints(ctx, 'state').load()).toThrow(/points to state-6.json, which is missing/);
    expect(() => checkSlotBlob(dir, { file: '../etc/passwd', sha256: '0'.repeat(64) })).toThrow(/field state.file/);
    expect(slotStateSchema('state').safeParse({ file: 'state-1.json' }).success).toBe(false);
    expect(slotStateSchema('state').safeParse({ file: '../x-1.json', sha256: '0'.repeat(64) }).success).toBe(false);
  });
});
