/**
 * Checkpoints whose state is too large for `checkpoint.json` (weights, optimizer moments, replay buffers):
 * the blob goes to its own file, `<prefix>-<step>.json`, then `checkpoint.json` is pointed at it with the
 * blob's sha256 (`{ file, sha256 }`, covered by checkpoint.json's own digest). The blob is never written over
 * the file `checkpoint.json` references, so a crash between the two writes leaves the previous checkpoint
 * whole; once the new `checkpoint.json` has landed, every other `<prefix>-*.json` is removed, so a run
 * folder holds exactly the blob of its checkpoint, whether or not it was interrupted and resumed.
 * Resume (and `load`) refuse a blob whose sha256 differs from the one recorded.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunContext } from './experiment.js';
import { cannotRead } from './errors.js';
import { FILES, RunFileError } from './rundir.js';
import { readFileSync } from 'node:fs';

/** What `checkpoint.json`'s `state` holds: the blob's file and its sha256. */
interface SlotRef {
  file: string;
  sha256: string;
}

const PREFIX = /^[a-z][a-z0-9-]*$/;
/** `<prefix>-<step>.json`, or `<prefix>-<step>b.json` when a second checkpoint lands on the same step. */
const slotPattern = (prefix: string): RegExp => new RegExp(`^${prefix}-\\d+b?\\.json$`);
const ANY_SLOT = /^[a-z][a-z0-9-]*-\d+b?\.json$/;
const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** The schema of `checkpoint.json`'s `state` for blobs written with `prefix` (an experiment's `checkpointState`). */
export function slotStateSchema(prefix: string): z.ZodType<SlotRef> {
  return z
    .object({
      file: z.string().regex(slotPattern(prefix), `a file named ${prefix}-<step>.json in the run folder`),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the sha256 (64 hex digits) of the blob'),
    })
    .strict();
}

const REPAIR = 'restore it from a backup or start a new run (metrics.jsonl was not touched)';

/**
 * Before a resume changes anything: when `state` points to a blob (`{ file, sha256 }`), that blob must be in
 * `dir`, and its sha256 must be the recorded one (a RunFileError naming the file otherwise).
 */
export function checkSlotBlob(dir: string, state: unknown): void {
  if (state === null || typeof state !== 'object' || !('file' in state)) return;
  const { file, sha256: want } = state as Partial<SlotRef>;
  const where = join(dir, FILES.checkpoint);
  if (typeof file !== 'string' || !ANY_SLOT.test(file))
    throw new RunFileError(
      `${where}: field state.file: got ${JSON.stringify(file)}; allowed: a blob file name <prefix>-<step>.json; ${REPAIR}`,
    );
  if (typeof want !== 'string' || !/^[0-9a-f]{64}$/.test(want))
    throw new RunFileError(
      `${where}: field state.sha256: got ${JSON.stringify(want)}; allowed: the sha256 (64 hex digits) of ${file}; ${REPAIR}`,
    );
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, file));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RunFileError(
      `${join(dir, file)}: ${missing ? 'missing, but checkpoint.json points to it' : cannotRead(err)}; ${REPAIR}`,
    );
  }
  if (sha256(bytes) !== want)
    throw new RunFileError(
      `${join(dir, file)}: sha256 does not match the one checkpoint.json records (the file was changed or damaged after it was written); ${REPAIR}`,
    );
}

type SlotContext = Pick<RunContext, 'loadCheckpoint' | 'readFile' | 'writeFile' | 'checkpoint' | 'dir'>;

export class SlotCheckpoints {
  private current: SlotRef | null;

  constructor(
    private readonly ctx: SlotContext,
    private readonly prefix: string,
  ) {
    if (!PREFIX.test(prefix)) throw new RangeError(`SlotCheckpoints: prefix '${prefix}' must match ${PREFIX}`);
    this.current = ctx.loadCheckpoint<SlotRef>()?.state ?? null;
    // A resumed run needs only its checkpoint's blob: others are left by a run killed between the writes.
    if (this.current) this.removeOthers();
  }

  /** The blob of the checkpoint being resumed, or null (fresh run). Its sha256 is checked again here. */
  load(): string | null {
    if (!this.current) return null;
    const { file, sha256: want } = this.current;
    const bytes = this.ctx.readFile(file);
    if (!bytes) throw new RunFileError(`checkpoint.json points to ${file}, which is missing from the run folder`);
    if (sha256(bytes) !== want)
      throw new RunFileError(`${file}: sha256 does not match the one checkpoint.json records; ${REPAIR}`);
    return new TextDecoder().decode(bytes);
  }

  /** Writes `blob` to its own file, points `checkpoint.json` (step `step`) at it, then removes the older blobs. */
  save(step: number, blob: string): void {
    let file = `${this.prefix}-${step}.json`;
    if (file === this.current?.file) file = `${this.prefix}-${step}b.json`;
    const ref: SlotRef = { file, sha256: sha256(blob) };
    this.ctx.writeFile(file, blob);
    this.ctx.checkpoint(step, ref);
    this.current = ref;
    this.removeOthers();
  }

  /** Removes every `<prefix>-*.json` but the current one (older checkpoints, blobs a killed run left unreferenced). */
  private removeOthers(): void {
    const dir = this.ctx.dir;
    if (dir === null) return;
    const pattern = slotPattern(this.prefix);
    for (const f of readdirSync(dir))
      if (pattern.test(f) && f !== this.current?.file) rmSync(join(dir, f), { force: true });
  }
}
