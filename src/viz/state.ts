/**
 * The view state that the URL hash restores: which panel, which env, which prior, α, seed, plus
 * panel-specific fields (e.g. the ELBO sliders). Parsing validates every field and falls back to the
 * default for a bad one, so a hand-edited or stale link still opens a sensible view.
 */
import { PRIOR_NAMES, type PriorName } from '../priors/objective.js';

export const PANELS = [
  'gridworld',
  'train',
  'elbo',
  'control',
  'tokens',
  'runs',
  'worldmodel',
  'irl',
  'lesson',
] as const;
export type PanelId = (typeof PANELS)[number];

export interface ViewState {
  panel: PanelId;
  env: string;
  prior: PriorName;
  alpha: number;
  seed: number;
  /** Panel-specific fields, kept as strings (each panel parses its own). */
  extra: Record<string, string>;
}

export const DEFAULT_STATE: ViewState = {
  panel: 'gridworld',
  env: '',
  prior: 'uniform',
  alpha: 0.5,
  seed: 1,
  extra: {},
};

const CORE = new Set(['panel', 'env', 'prior', 'alpha', 'seed']);

export function parseHash(hash: string): ViewState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const s: ViewState = { ...DEFAULT_STATE, extra: {} };
  const panel = q.get('panel');
  if (panel && (PANELS as readonly string[]).includes(panel)) s.panel = panel as PanelId;
  const env = q.get('env');
  if (env && /^[\w.-]+$/.test(env)) s.env = env;
  const prior = q.get('prior');
  if (prior && (PRIOR_NAMES as readonly string[]).includes(prior)) s.prior = prior as PriorName;
  const alpha = Number(q.get('alpha'));
  if (q.has('alpha') && Number.isFinite(alpha) && alpha >= 0) s.alpha = alpha;
  const seed = Number(q.get('seed'));
  if (q.has('seed') && Number.isInteger(seed) && seed >= 0) s.seed = seed;
  for (const [k, v] of q) if (!CORE.has(k)) s.extra[k] = v;
  return s;
}

export function formatHash(s: ViewState): string {
  const q = new URLSearchParams({ panel: s.panel });
  if (s.env) q.set('env', s.env);
  q.set('prior', s.prior);
  q.set('alpha', String(s.alpha));
  q.set('seed', String(s.seed));
  for (const [k, v] of Object.entries(s.extra)) q.set(k, v);
  return '#' + q.toString();
}

/** A finite number from `extra[key]`, else `fallback`. */
export function extraNumber(s: ViewState, key: string, fallback: number): number {
  const v = Number(s.extra[key]);
  return key in s.extra && Number.isFinite(v) ? v : fallback;
}
