/**
 * The Runs panel's state (no DOM): the run folders known (the dev server's listing and folders picked from
 * disk), the runs ticked, and the runs loaded so far (each loaded once).
 */
import { loadRun, serverRunFiles, serverRuns, type RunData, type RunSource } from './data.js';

export class RunsPanelState {
  private readonly sources = new Map<string, RunSource>();
  private readonly loaded = new Map<string, RunData>();
  /** Ticked runs, in the order they were ticked (the first one's config, episodes and figures are shown). */
  readonly picked: Set<string>;

  /**
   * `fromLink`: the URL hash's `runs` (comma-separated names). Absent: the newest run is ticked once listed
   * (`tickNewestUnlessLinked`); empty: none is.
   */
  constructor(private readonly fromLink: string | undefined) {
    this.picked = new Set((fromLink ?? '').split(',').filter(Boolean));
  }

  /** Known run names, sorted (names start with the date, so the newest is last). */
  names(): string[] {
    return [...this.sources.keys()].sort();
  }

  /** Reads the dev server's `/runs/` listing: the run folders (with a config.json) under runs/. */
  async listServer(base: string): Promise<void> {
    for (const src of await serverRuns(base, 'config.json')) this.sources.set(src.name, src);
  }

  /** Once the runs are listed: a link that names no runs opens on the newest. */
  tickNewestUnlessLinked(): void {
    const newest = this.names().at(-1);
    if (this.fromLink === undefined && newest !== undefined) this.picked.add(newest);
  }

  /** Folders picked from disk: only run folders (with a config.json), as in the server listing; each is ticked. */
  addPicked(sources: readonly RunSource[]): void {
    for (const src of sources.filter((r) => r.files.has('config.json'))) {
      this.sources.set(src.name, src);
      this.loaded.delete(src.name);
      this.picked.add(src.name);
    }
  }

  tick(name: string, on: boolean): void {
    if (on) this.picked.add(name);
    else this.picked.delete(name);
  }

  /** Ticks `name` alone. */
  only(name: string): void {
    this.picked.clear();
    this.picked.add(name);
  }

  /** The newest known run of `experiment`. */
  newestOf(experiment: string): string | undefined {
    return this.names()
      .filter((n) => n.includes(experiment))
      .at(-1);
  }

  /** What the URL hash records. */
  link(): string {
    return [...this.picked].join(',');
  }

  /** The ticked runs that are known, loaded (from the server on first use). */
  async pickedRuns(base: string): Promise<RunData[]> {
    return Promise.all([...this.picked].filter((n) => this.sources.has(n)).map((n) => this.load(base, n)));
  }

  private async load(base: string, name: string): Promise<RunData> {
    let run = this.loaded.get(name);
    if (!run) {
      let src = this.sources.get(name)!;
      if (src.files.size === 0) src = await serverRunFiles(base, src);
      run = await loadRun(src);
      this.loaded.set(name, run);
    }
    return run;
  }
}
