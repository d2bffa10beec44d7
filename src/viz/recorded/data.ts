/**
 * Reading recorded run folders as data (JSON.parse and zod, never evaluated): `config.json`,
 * `metrics.jsonl` (one `{ step, "ns/key": x, ... }` object per line; a torn last line is skipped) and
 * evaluation episodes. The viewer's episode format, one JSON file whose name contains `episode`:
 *
 *     { "env": "TwoRoute-v0", "episodes": [ { "obs": [36, 27, ...], "actions": [0, 1, ...], "rewards": [0, ...] } ] }
 *
 * `obs` has one entry per state visited (the final one included): an integer for tabular envs, an array
 * of numbers for continuous ones. A run folder comes from the dev server (`/runs/<name>/` listings) or
 * from files the user picks (a folder input); both become a `RunSource`.
 */
import { z } from 'zod';
import { parseMetrics } from '../../core/metrics.js';

export interface RunSource {
  name: string;
  /** File name (inside the run folder) → its text, fetched lazily. */
  files: Map<string, () => Promise<string>>;
}

export interface MetricRow {
  step: number;
  [key: string]: number;
}

const episodeSchema = z.object({
  obs: z.array(z.union([z.number(), z.array(z.number())])).min(1),
  actions: z.array(z.union([z.number(), z.array(z.number())])).optional(),
  rewards: z.array(z.number()).optional(),
});
const episodesFileSchema = z.object({ env: z.string().min(1), episodes: z.array(episodeSchema).min(1) });
export type Episode = z.infer<typeof episodeSchema>;
export type EpisodesFile = z.infer<typeof episodesFileSchema>;

export interface RunData {
  name: string;
  config: Record<string, unknown> | null;
  metrics: MetricRow[];
  episodes: EpisodesFile | null;
  /** Files the viewer does not interpret (listed for the user). */
  other: string[];
  /** Problems met while reading, each naming the file. */
  warnings: string[];
}

/** Parses `text` as JSON checked by `schema`; errors name the file, the field and the problem. */
export function parseJsonFile<S extends z.ZodTypeAny>(name: string, text: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new Error(`${name}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export function parseEpisodes(name: string, text: string): EpisodesFile {
  return parseJsonFile(name, text, episodesFileSchema);
}

export async function loadRun(src: RunSource): Promise<RunData> {
  const warnings: string[] = [];
  const other: string[] = [];
  let config: Record<string, unknown> | null = null;
  let metrics: MetricRow[] = [];
  let episodes: EpisodesFile | null = null;
  for (const [file, read] of src.files) {
    try {
      if (file === 'config.json') {
        const c: unknown = JSON.parse(await read());
        if (typeof c === 'object' && c !== null && !Array.isArray(c)) config = c as Record<string, unknown>;
        else warnings.push('config.json: not a JSON object');
      } else if (file === 'metrics.jsonl') metrics = parseMetrics(await read(), warnings);
      else if (/episode/i.test(file) && file.endsWith('.json') && episodes === null) episodes = parseEpisodes(file, await read());
      else other.push(file);
    } catch (e) {
      warnings.push((e as Error).message);
    }
  }
  return { name: src.name, config, metrics, episodes, other, warnings };
}

/** All metric keys of some runs, sorted, without `step` and the `global_step` that repeats it (the charts' x axis). */
export function metricKeys(runs: readonly RunData[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const row of r.metrics) for (const k of Object.keys(row)) if (k !== 'step' && !/(^|\/)charts\/global_step$/.test(k)) keys.add(k);
  return [...keys].sort();
}

/**
 * The learning-curve groups of the Runs panel, in chart order; a key joins the first group it matches
 * (keys may carry a `<prior>/<method>/` prefix), and whatever matches none is charted under "Other metrics".
 */
export const METRIC_GROUPS: ReadonlyArray<{ title: string; match: RegExp }> = [
  { title: 'Return', match: /return/i },
  { title: 'Entropy', match: /entropy/i },
  // The world model's ELBO terms (`elbo/kl` is KL(posterior ‖ prior) of its latents, not a policy's) before the policy KLs.
  { title: 'ELBO terms', match: /(^|\/)elbo\/|recon|nll/i },
  { title: 'KL to prior / reference', match: /(^|\/)kl(?!ppo)/i },
  { title: 'Losses', match: /(^|\/)losses\//i },
  { title: 'Temperature α / KL coefficient β', match: /(^|\/)(alpha|beta)($|_)/i },
  { title: 'Episode length', match: /length/i },
  { title: 'Learning rate', match: /learning_rate/i },
  { title: 'Other metrics', match: /./ },
];

/**
 * Folders served by the dev server under `/runs/`, each with its file listing filled in, keeping only
 * those that hold `requiredFile`. The Runs panel asks for `config.json` (every run the CLI writes has
 * one), so folders that are not runs (`runs/compare/` from `priorlab compare`, a parent folder of runs)
 * are not listed. A folder whose own listing fails is skipped rather than failing the whole list.
 */
export async function serverRuns(base: string, requiredFile: string): Promise<RunSource[]> {
  const list = await fetchListing(`${base}runs/`);
  const runs = await Promise.all(
    list.filter((e) => e.dir).map((e) => serverRunFiles(base, { name: e.name, files: new Map() }).catch(() => null)),
  );
  return runs.filter((r): r is RunSource => r !== null && r.files.has(requiredFile));
}

interface Listing {
  name: string;
  dir: boolean;
  size: number;
}

async function fetchListing(url: string): Promise<Listing[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const body: unknown = await res.json();
  const entries = (body as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new Error(`${url}: listing has no entries`);
  return entries as Listing[];
}

/** Fills a server run's file map from its folder listing. */
export async function serverRunFiles(base: string, run: RunSource): Promise<RunSource> {
  const url = `${base}runs/${encodeURIComponent(run.name)}/`;
  const list = await fetchListing(url);
  const files = new Map<string, () => Promise<string>>();
  for (const e of list) {
    if (e.dir) continue;
    files.set(e.name, async () => {
      const r = await fetch(url + encodeURIComponent(e.name));
      if (!r.ok) throw new Error(`${run.name}/${e.name}: HTTP ${r.status}`);
      return r.text();
    });
  }
  return { name: run.name, files };
}

/** Files picked with a folder input (`webkitRelativePath` = `<run>/<file>`), grouped into runs. */
export function pickedRuns(files: ArrayLike<File>): RunSource[] {
  const byRun = new Map<string, RunSource>();
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const parts = (f.webkitRelativePath || f.name).split('/');
    const file = parts[parts.length - 1];
    const run = parts.length >= 2 ? parts[parts.length - 2] : 'picked files';
    if (!byRun.has(run)) byRun.set(run, { name: run, files: new Map() });
    byRun.get(run)!.files.set(file, () => f.text());
  }
  return [...byRun.values()];
}
