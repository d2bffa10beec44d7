/**
 * Checkpoints whose state is too large for `checkpoint.json` (weights, optimizer moments, replay buffers):
 * the blob goes to one of two slot files, `<prefix>-0.json` or `<prefix>-1.json`, then `checkpoint.json`
 * is pointed at it. Each write goes to the slot `checkpoint.json` does NOT reference (after a resume too),
 * so a crash between the two writes leaves the previous checkpoint whole: its blob was not touched.
 */
import { z } from 'zod';
import type { RunContext } from './experiment.js';
import { join } from 'node:path';
import { readRunFile, RunFileError } from './rundir.js';

/** What `checkpoint.json`'s `state` holds: the slot file of the blob. */
interface SlotRef {
  file: string;
}

const slotFile = (prefix: string, slot: 0 | 1): string => `${prefix}-${slot}.json`;

/** The schema of `checkpoint.json`'s `state` for blobs written with `prefix` (an experiment's `checkpointState`). */
export function slotStateSchema(prefix: string): z.ZodType<SlotRef> {
  return z.object({ file: z.enum([slotFile(prefix, 0), slotFile(prefix, 1)]) }).strict();
}

/**
 * Before a resume changes anything: when `state` points to a slot blob, that blob must be in `dir` and be
 * whole JSON (a RunFileError naming it otherwise).
 */
export function checkSlotBlob(dir: string, state: unknown): void {
  const file = (state as Partial<SlotRef> | null)?.file;
  if (typeof file !== 'string' || !/-[01]\.json$/.test(file)) return;
  if (readRunFile(dir, file, z.unknown()) === null) {
    throw new RunFileError(
      `${join(dir, file)}: missing, but checkpoint.json points to it; restore it from a backup or start a new run (metrics.jsonl was not touched)`,
    );
  }
}

type SlotContext = Pick<RunContext, 'loadCheckpoint' | 'readFile' | 'writeFile' | 'checkpoint'>;

export class SlotCheckpoints {
  private readonly saved: SlotRef | null;
  private next: 0 | 1;

  constructor(
    private readonly ctx: SlotContext,
    private readonly prefix: string,
  ) {
    this.saved = ctx.loadCheckpoint<SlotRef>()?.state ?? null;
    this.next = this.saved?.file === this.file(0) ? 1 : 0;
  }

  private file(slot: 0 | 1): string {
    return slotFile(this.prefix, slot);
  }

  /** The blob of the checkpoint being resumed, or null (fresh run, or resumed before the first checkpoint). */
  load(): string | null {
    if (!this.saved) return null;
    const bytes = this.ctx.readFile(this.saved.file);
    if (!bytes) throw new Error(`checkpoint.json points to ${this.saved.file}, which is missing from the run folder`);
    return new TextDecoder().decode(bytes);
  }

  /** Writes `blob` to the free slot, then points `checkpoint.json` (step `step`) at it. */
  save(step: number, blob: string): void {
    const file = this.file(this.next);
    this.ctx.writeFile(file, blob);
    this.ctx.checkpoint(step, { file } satisfies SlotRef);
    this.next = this.next === 0 ? 1 : 0;
  }
}
