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

/** `dreamer/index.json`: a small dreamer agent on one env under each objective. */
export interface ShippedDreamer {
  env: string;
  seed: number;
  runs: ShippedDreamerRun[];
}
