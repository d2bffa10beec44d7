/**
 * Checkpoints whose state is too large for `checkpoint.json` (weights, optimizer moments, replay buffers):
 * the blob goes to one of two slot files, `<prefix>-0.json` or `<prefix>-1.json`, then `checkpoint.json`
 * is pointed at it. Each write goes to the slot `checkpoint.json` does NOT reference (after a resume too),
 * so a crash between the two writes leaves the previous checkpoint whole: its blob was not touched.
 */
import type { RunContext } from './experiment.js';

/** What `checkpoint.json`'s `state` holds: the slot file of the blob. */
interface SlotRef {
  file: string;
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
    return `${this.prefix}-${slot}.json`;
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
