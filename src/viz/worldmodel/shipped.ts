/**
 * The world-model run shipped with the viewer (`src/viz/worldmodel/`, made by `npm run viewer-worldmodel`,
 * `scripts/viewer-worldmodel.ts`): its `rssm-trajectories.json` and this index. Plain data, so the Node script
 * and the browser share it.
 */
export const SHIPPED_WORLD_MODEL_DIR = 'src/viz/worldmodel';

export interface ShippedWorldModel {
  /** The `priorlab` command that made the run. */
  command: string;
  /** Held-out open-loop imagination MSE, mean over the horizons (imagination.json's rssmMse). */
  imaginationMse: number;
  /** The same for the "repeat the last observation" forecast (naiveMse). */
  repeatLastMse: number;
  /** R² of the linear θ̇ read-out on held-out windows. */
  velocityR2: number;
}

/** One shipped dreamer run (`dreamer/<file>`, its imagined rollouts under its own policy against the real ones). */
export interface ShippedDreamerRun {
  /** The objective's prior (uniform, reference, none). */
  prior: string;
  /** How the menu names it. */
  label: string;
  /** The `priorlab` command that made it. */
  command: string;
  /** Its rssm-trajectories file under `dreamer/`. */
  file: string;
  /** The final deterministic return over `episodes` episodes (results.json). */
  finalReturn: { mean: number; min: number; max: number; episodes: number };
  /** The deterministic evaluations during training. */
  evals: { step: number; ret: number }[];
}

/**
 * What makes each shipped dreamer run: `priorlab <command> --seed <SHIPPED_DREAMER_SEED>` (the figures script
 * reruns the same commands for docs/dreamer.md).
 */
export const SHIPPED_DREAMER_SEED = 1;
export const SHIPPED_DREAMER_RUNS = [
  { prior: 'uniform', label: 'uniform prior, α 0.05', args: '--prior uniform --alpha 0.05' },
  {
    prior: 'reference',
    label: 'swing-up reference, α 0.5',
    args: '--prior reference --reference swing-up --alpha 0.5',
  },
  { prior: 'none', label: 'no prior, α = 0', args: '--prior none' },
].map((r) => ({
  ...r,
  command: `dreamer-pendulum --env Pendulum-v1 --steps 6000 --evalEvery 1000 ${r.args} --episodes 5`,
}));

/** `dreamer/index.json`: a small dreamer agent on one env under each objective. */
export interface ShippedDreamer {
  env: string;
  seed: number;
  runs: ShippedDreamerRun[];
}
