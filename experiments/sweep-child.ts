/**
 * The script a local sweep worker process runs (`src/node/sweep/local.ts` spawns it): hands the experiment
 * list down to the sweep machinery, as the CLI does, then serves the parent's trials.
 */
import { fileURLToPath } from 'node:url';
import { serveTrials } from '../src/node/sweep/child.js';
import { provideExperiments } from '../src/node/sweep/trial.js';
import { EXPERIMENTS } from './index.js';

provideExperiments({ registry: EXPERIMENTS, childEntry: fileURLToPath(import.meta.url) });
await serveTrials();
