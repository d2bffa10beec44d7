/**
 * `npm run bench`: every area's benchmark in one run, each printing its own lines (and, where the
 * issue sets a target, the ratio to it). Pass area names to run a subset: `npm run bench -- sac envs`.
 * Timings on a shared machine are noisy: compare the ratios printed within one run.
 */
import { initNodeBackend } from '../src/node/backend.js';

const AREAS: Record<string, () => Promise<{ bench(): Promise<void> }>> = {
  envs: () => import('./envs.js'),
  distributions: () => import('./distributions.js'),
  sac: () => import('./sac.js'),
  engine: () => import('./engine.js'),
  klppo: () => import('./klppo.js'),
  rssm: () => import('./rssm.js'),
  dreamer: () => import('./dreamer.js'),
  parallel: () => import('./parallel.js'),
  sweep: () => import('./sweep.js'),
  viz: () => import('./viz.js'),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in AREAS)) {
    console.error(`bench: unknown area '${name}'; allowed: ${Object.keys(AREAS).join(', ')}`);
    process.exit(2);
  }
}

console.log(`backend: ${await initNodeBackend()}  (node ${process.version})`);
for (const [name, load] of Object.entries(AREAS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n## ${name}`);
  await (await load()).bench();
}
