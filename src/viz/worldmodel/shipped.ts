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
