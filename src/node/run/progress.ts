/**
 * A one-line progress bar: `[#######.....] 3500/5000 70% 2.1k/s ETA 0:01 return=-13.2 kl=0.12`.
 * Redrawn in place (at most ~10 times a second) when the stream is a TTY and `CI` is unset;
 * otherwise silent until `finish`, which prints one summary line.
 */

export interface ProgressState {
  step: number;
  total: number;
  fields: Record<string, number>;
}

/** Compact number, never in exponent notation above 1e-4: 3 significant digits, whole numbers from 1000, k/M from 1e4. */
export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (Number.isInteger(x) || a >= 1000) return String(Math.round(x));
  if (a >= 100) return x.toFixed(1);
  return x.toPrecision(3);
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Short field name: the part after the last `/` (`charts/return` → `return`). */
const shortKey = (k: string): string => k.slice(k.lastIndexOf('/') + 1);

/**
 * The text of one progress line (no bar when `barWidth` is 0; the elapsed time instead of the ETA when `final`).
 * With `maxWidth`, the bar goes first, then whole fields from the end, so no number is ever cut.
 */
export function renderProgress(
  p: ProgressState,
  elapsedSec: number,
  barWidth = 20,
  startStep = 0,
  final = false,
  maxWidth = Infinity,
  unit = '',
): string {
  const frac = p.total > 0 ? Math.min(1, p.step / p.total) : 0;
  const done = p.step - startStep;
  const rate = elapsedSec > 0 ? done / elapsedSec : 0;
  const eta = rate > 0 ? (p.total - p.step) / rate : NaN;
  const filled = Math.round(frac * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ` : '';
  const fields = Object.entries(p.fields).map(([k, v]) => `${shortKey(k)}=${fmtNum(v)}`);
  const time = final ? `in ${fmtDuration(elapsedSec)}` : `ETA ${fmtDuration(eta)}`;
  const line = (withBar: boolean, n: number) =>
    [
      `${withBar ? bar : ''}${p.step}/${p.total}${unit ? ` ${unit}` : ''} ${Math.floor(frac * 100)}%`,
      `${fmtNum(rate)}/s`,
      time,
      ...fields.slice(0, n),
    ].join(' ');
  if (line(true, fields.length).length <= maxWidth) return line(true, fields.length);
  for (let n = fields.length; n > 0; n--) if (line(false, n).length <= maxWidth) return line(false, n);
  return line(false, 0);
}

/** Whether to redraw live on `stream`: a TTY, and not under CI. */
export function isLive(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

export class ProgressBar {
  private state: ProgressState | null = null;
  private readonly start = performance.now();
  private startStep: number | null = null;
  private lastDraw = 0;
  private drawn = false;

  /**
   * `unit` names what the steps count (`env steps`), printed after the total. `fromStep`: the step the run
   * starts from (0 for a fresh run): the rate then counts from the bar's creation, so the first update already
   * gives an ETA; null (a resumed run) counts from the first update instead.
   */
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly live = isLive(stream),
    private readonly unit = '',
    fromStep: number | null = null,
  ) {
    this.startStep = fromStep;
  }

  update(step: number, total: number, fields: Record<string, number> = {}): void {
    if (this.startStep === null) this.startStep = step;
    this.state = { step, total, fields: { ...(this.state?.fields ?? {}), ...fields } };
    const now = performance.now();
    if (this.live && (now - this.lastDraw > 100 || step >= total)) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Prints `line` above the bar (the bar is redrawn under it). */
  print(line: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
    if (this.drawn) this.draw();
  }

  /** Ends the bar: a final newline when live, one summary line otherwise. */
  finish(): void {
    if (!this.state) return;
    const text = `${this.label} ${renderProgress(this.state, this.elapsed(), 0, this.startStep ?? 0, true, Infinity, this.unit)}`;
    if (this.live) this.stream.write(`\r\x1b[2K${text}\n`);
    else this.stream.write(`${text}\n`);
    this.drawn = false;
  }

  private elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  private draw(): void {
    if (!this.state) return;
    const width = this.stream.columns ?? 80;
    const room = width - 1 - this.label.length - 1;
    const text = `${this.label} ${renderProgress(this.state, this.elapsed(), 20, this.startStep ?? 0, false, room, this.unit)}`;
    this.stream.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
    this.drawn = true;
  }
}
