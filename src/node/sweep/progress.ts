/**
 * The one progress line of a sweep, whichever backend runs it:
 *   `sweep 12/45 done, 2 running, 1 failed | c03-s1 45% c04-s2 10% | ETA 0:40`
 * Redrawn in place on a TTY (outside CI); otherwise one line per finished trial.
 */
import { fmtDuration, isLive } from '../run/progress.js';

export type TrialState = 'pending' | 'running' | 'done' | 'failed' | 'stopped';

export function renderSweepLine(
  states: ReadonlyMap<string, TrialState>,
  fractions: ReadonlyMap<string, number>,
  etaSec: number,
): string {
  const count = (s: TrialState): number => [...states.values()].filter((x) => x === s).length;
  const head = [`sweep ${count('done')}/${states.size} done`, `${count('running')} running`];
  if (count('failed')) head.push(`${count('failed')} failed`);
  const running = [...states]
    .filter(([, s]) => s === 'running')
    .map(([id]) => `${id} ${Math.floor(100 * (fractions.get(id) ?? 0))}%`);
  return [head.join(', '), ...(running.length ? [running.join(' ')] : []), `ETA ${fmtDuration(etaSec)}`].join(' | ');
}

export class SweepProgress {
  readonly states = new Map<string, TrialState>();
  private readonly fractions = new Map<string, number>();
  private readonly start = performance.now();
  private readonly live: boolean;
  private drawn = false;
  private lastDraw = 0;
  /** Trials done before this process started (they do not count toward the rate). */
  private readonly doneAtStart: number;

  constructor(
    trials: ReadonlyArray<{ id: string; done: boolean }>,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {
    for (const t of trials) this.states.set(t.id, t.done ? 'done' : 'pending');
    this.doneAtStart = trials.filter((t) => t.done).length;
    this.live = isLive(out);
  }

  set(id: string, state: TrialState, fraction?: number): void {
    const prev = this.states.get(id);
    this.states.set(id, state);
    if (fraction !== undefined) this.fractions.set(id, fraction);
    if (state !== 'running') this.fractions.delete(id);
    if (!this.live && prev !== state && (state === 'done' || state === 'failed'))
      this.println(`trial ${id} ${state} (${this.line()})`);
    else this.draw();
  }

  /** Prints `line` above the progress line. */
  println(line: string): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    if (this.drawn) this.draw(true);
  }

  finish(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
    this.out.write(`${this.line()}\n`);
  }

  private eta(): number {
    let work = 0;
    for (const s of this.states.values()) if (s === 'done' || s === 'failed') work += 1;
    for (const f of this.fractions.values()) work += f;
    work -= this.doneAtStart;
    const left = this.states.size - this.doneAtStart - work;
    const elapsed = (performance.now() - this.start) / 1000;
    return work > 0 ? (elapsed * left) / work : NaN;
  }

  private line(): string {
    return renderSweepLine(this.states, this.fractions, this.eta());
  }

  private draw(force = false): void {
    if (!this.live) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.out.write(`\r\x1b[2K${this.line().slice(0, (this.out.columns ?? 120) - 1)}`);
    this.drawn = true;
  }
}
