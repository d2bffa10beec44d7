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
  /** The part of a multi-part run the episode belongs to, e.g. `uniform / sac` (gridworld-priors). */
  label: z.string().optional(),
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
  /** The SVG figures the run wrote (`routes.svg`, `learning-curve.svg`, ...), as text. */
  figures: Array<{ name: string; svg: string }>;
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
  const figures: RunData['figures'] = [];
  for (const [file, read] of src.files) {
    try {
      if (file === 'config.json') {
        const c: unknown = JSON.parse(await read());
        if (typeof c === 'object' && c !== null && !Array.isArray(c)) config = c as Record<string, unknown>;
        else warnings.push('config.json: not a JSON object');
      } else if (file === 'metrics.jsonl') metrics = parseMetrics(await read(), warnings);
      else if (/episode/i.test(file) && file.endsWith('.json') && episodes === null)
        episodes = parseEpisodes(file, await read());
      else if (file.endsWith('.svg')) figures.push({ name: file, svg: await read() });
      else other.push(file);
    } catch (e) {
      warnings.push((e as Error).message);
    }
  }
  return {
    name: src.name,
    config,
    metrics,
    episodes,
    figures: figures.sort((a, b) => a.name.localeCompare(b.name)),
    other,
    warnings,
  };
}

/**
 * A logged key split by the vocabulary's rule (`src/core/vocabulary.ts`): the metric is the last two path
 * segments (`charts/episodic_return`), the part is what precedes them (`uniform/sac` in a run that trains
 * several learners, '' in a run of one).
 */
export function splitKey(key: string): { part: string; metric: string } {
  const segs = key.split('/');
  return { part: segs.slice(0, -2).join('/'), metric: segs.slice(-2).join('/') };
}

/** Metrics never charted: the x axis repeated (`global_step`) and a schedule the config already states. */
const UNCHARTED = new Set(['charts/global_step', 'charts/learning_rate']);

/** One part's curve of one metric, its steps counted from the part's own start. */
export interface PartCurve {
  part: string;
  metric: string;
  points: Array<readonly [number, number]>;
}

/**
 * The charted curves of a run, one per (part, metric), in order of first appearance. A run made of
 * sequential parts (`sequentialParts` in src/node/run/experiment.ts adds the last step of the parts before
 * to every step) gets each part's steps back from 0, so parts overlay instead of running end to end. Parts
 * that interleave in the file were not logged that way and keep their steps.
 */
export function partCurves(metrics: readonly MetricRow[]): PartCurve[] {
  const curves = new Map<string, PartCurve>();
  const offset = new Map<string, number>();
  let lastStep = 0;
  let current: string | null = null;
  let sequential = true;
  for (const row of metrics) {
    for (const [key, value] of Object.entries(row)) {
      if (key === 'step') continue;
      const { part, metric } = splitKey(key);
      if (UNCHARTED.has(metric)) continue;
      if (part !== current) {
        if (offset.has(part)) sequential = false;
        else offset.set(part, lastStep);
        current = part;
      }
      const id = `${part}\u0000${metric}`;
      if (!curves.has(id)) curves.set(id, { part, metric, points: [] });
      curves.get(id)!.points.push([row.step, value]);
    }
    lastStep = row.step;
  }
  const out = [...curves.values()];
  // The first part starts at step 0 either way; a single part is never shifted.
  if (sequential && offset.size > 1)
    for (const c of out) c.points = c.points.map(([x, y]) => [x - offset.get(c.part)!, y] as const);
  return out;
}

/**
 * The learning-curve groups of the Runs panel, in chart order, matched on the metric (the vocabulary key,
 * part prefix removed); a metric joins the first group it matches, whatever matches none is "Other metrics".
 */
export const METRIC_GROUPS: ReadonlyArray<{ title: string; match: RegExp }> = [
  { title: 'Return', match: /return|reward_per_step/ },
  { title: 'KL to prior / reference', match: /^charts\/kl_prior$|^kl\// },
  { title: 'Entropy', match: /entropy/ },
  { title: 'Temperature α / KL coefficient β', match: /^charts\/alpha$|^sweep\/beta$/ },
  // The world model's ELBO and its terms (`elbo/kl` is KL(posterior ‖ prior) of its latents, not a policy's).
  { title: 'World model: ELBO terms', match: /^elbo\// },
  { title: 'Inverse RL', match: /^irl\// },
  { title: 'Episode length', match: /length/ },
  { title: 'Q and V', match: /^charts\/(q|v_start)$/ },
  { title: 'Losses', match: /^losses\// },
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
