/**
 * The index of the continuous agents shipped with the viewer (`src/viz/agents/`, made by
 * `npm run viewer-agents`, `scripts/viewer-agents.ts`): one entry per (env, prior), its files at
 * `<VIEWER_AGENTS_DIR>/<path>/agent.json` and `agent.bin`. Plain data, so the Node script and the browser share it.
 */
export const VIEWER_AGENTS_DIR = 'src/viz/agents';

export interface ViewerAgentEntry {
  env: string;
  /** The objective's prior name (`uniform`, `reference`, `none`). */
  prior: string;
  seed: number;
  steps: number;
  /** The `priorlab train` command that made it. */
  command: string;
  /** The run's final deterministic evaluation return (`charts/eval_return`, 10 episodes). */
  evalReturn: number;
  /** Folder under `VIEWER_AGENTS_DIR`. */
  path: string;
}
