/**
 * `priorlab eval <run folder>` and `priorlab enjoy <run folder>`: load the run's saved agent (checked:
 * format version, checksum, env and spaces) and evaluate it, or watch it (a terminal animation for
 * gridworlds, an animated GIF for every drawable env).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { MAX_EPISODE_STEPS, runEpisodes, type EpisodeResult } from '../../agents/episodes.js';
import { MAX_EVAL_EPISODES } from '../../core/config.js';
import { createLearner, type Learner } from '../../agents/learner.js';
import { RngStreams } from '../../core/rng.js';
import type { Env, Observation } from '../../envs/env.js';
import { make } from '../../envs/registry.js';
import { actionText, cellKindAt, GRID_LEGEND, gridText, hasScene, sceneOf } from '../../envs/scene.js';
import type { Objective } from '../../priors/index.js';
import { writeFileAtomic } from '../atomicfs.js';
import { splitArgs, validateFlags } from '../run/options.js';
import { UsageError } from '../../core/errors.js';
import { checkAgentFits, loadAgent, type AgentManifest } from './agent-io.js';
import { encodeGif, rasterize, sceneHeight, withCaption } from './gif.js';
import { buildObjective, parseEnvOptions } from './setup.js';

/** Whether an episode counts as a success, for envs that define one (else null). */
export function successOf(envId: string): ((ep: EpisodeResult) => boolean) | null {
  switch (envId) {
    case 'MountainCarContinuous-v0':
    case 'CliffWalking-v1':
      return (ep) => ep.terminated; // reached the flag / the goal
    case 'FrozenLake-v1':
    case 'TwoRoute-v0':
      return (ep) => ep.terminated && ep.lastReward > 0; // a goal, not a hole or the lava
    case 'PointMass-v0':
      return (ep) => ep.info.goal === 'far';
    default:
      return null;
  }
}

/** A loaded agent: its learner (policy weights set), objective and env factory. Dispose when done. */
export interface LoadedAgent {
  manifest: AgentManifest;
  learner: Learner;
  objective: Objective;
  /** Makes the env the agent was saved for (with its options). */
  makeEnv: () => Env;
  /** Frees the learner and its objective. */
  dispose(): void;
}

/** Loads the agent of run folder `dir` (see `loadAgent`); `seed` roots the learner's streams. */
export function loadRunAgent(dir: string, seed: number, envOptions?: Record<string, unknown>): LoadedAgent {
  if (!existsSync(dir))
    throw new UsageError(`'${dir}' does not exist; allowed: a run folder written by 'priorlab train'`);
  const { manifest, weights } = loadAgent(dir);
  const options = envOptions ?? manifest.env.options ?? {};
  const makeEnv = () => make(manifest.env.id, options);
  let env: Env;
  try {
    env = makeEnv();
  } catch (err) {
    // Env options are input (--env-options, or the manifest's): a bad one is a usage error naming them.
    throw new UsageError(
      `${envOptions ? '--env-options' : `${dir}/agent.json: field env`}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  checkAgentFits(manifest, env, 'run', dir);
  // What the manifest says is input: an objective or config no learner takes is a usage error naming the field.
  const asInput = <T>(field: string, make: () => T): T => {
    try {
      return make();
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${dir}/agent.json: field ${field}: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  const objective = asInput('objective', () => buildObjective(manifest.objective, env));
  try {
    const learner = asInput('config', () =>
      createLearner(manifest.algo, {
        makeEnv,
        objective,
        config: manifest.config,
        streams: new RngStreams(`load/${seed}`),
      }),
    );
    asInput('tensors', () => learner.setPolicyWeights(weights));
    return {
      manifest,
      learner,
      objective,
      makeEnv,
      dispose() {
        learner.dispose();
        objective.dispose();
      },
    };
  } catch (err) {
    objective.dispose();
    throw err;
  }
}

/**
 * The most episodes one `enjoy` shows (every frame of every episode is kept to draw the GIF); `eval` takes at
 * most MAX_EVAL_EPISODES (src/core/config.ts: each up to MAX_EPISODE_STEPS steps, minutes at most).
 */
export const MAX_ENJOY_EPISODES = 100;

const evalOptions = z.object({
  episodes: z
    .number()
    .int()
    .positive()
    .max(MAX_EVAL_EPISODES)
    .default(100)
    .describe(`evaluation episodes (at most ${MAX_EVAL_EPISODES}: each runs up to ${MAX_EPISODE_STEPS} steps)`),
  seed: z.number().int().min(0).default(1).describe('seed of the episode resets and the KL/entropy samples'),
  envOptions: z.string().optional().describe('evaluate under other env options (a YAML map), e.g. a changed task'),
});

const enjoyOptions = z.object({
  episodes: z
    .number()
    .int()
    .positive()
    .max(MAX_ENJOY_EPISODES)
    .default(1)
    .describe(`episodes to watch (at most ${MAX_ENJOY_EPISODES}: every frame is kept for the GIF)`),
  seed: z.number().int().min(0).default(1).describe('seed of the episode resets'),
  out: z
    .string()
    .refine((p) => /\.gif$/i.test(p), 'a file name ending in .gif (enjoy writes an animated GIF)')
    .optional()
    .describe('write an animated GIF here (every drawable env)'),
  size: z
    .number()
    .int()
    .min(16)
    .max(1024)
    .default(240)
    .describe('GIF width in pixels (the height keeps the scene’s shape)'),
  every: z.number().int().positive().default(1).describe('draw every this many steps'),
  fps: z.number().positive().optional().describe('frames per second (default: 4 in the terminal, 20 in the GIF)'),
});

function runFolderArg(args: string[], cmd: string): [string, Map<string, string | true>] {
  const raw = splitArgs(args);
  if (raw.positional.length !== 1)
    throw new UsageError(`usage: priorlab ${cmd} <run folder> [options]; got ${raw.positional.length} folders`);
  return [resolve(raw.positional[0]), raw.flags];
}

/** Mean ± std (population) of `xs`. */
function meanStd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)];
}

/** What `priorlab eval` reports of a run folder's agent. */
export interface RunEvaluation {
  manifest: AgentManifest;
  /** The objective's label, e.g. `reference α=auto→KL 1.69`. */
  objective: string;
  episodes: number;
  /** Mean ± std (population) of the episodes' returns. */
  mean: number;
  std: number;
  /** Episodes ending in the env's success (null: the env defines none). */
  successes: number | null;
  meanLength: number;
  /** KL(π‖prior) and entropy per step, averaged over the visited states. */
  kl: number;
  entropy: number;
}

/**
 * Evaluates the agent of run folder `dir` (the backend initialized): `episodes` deterministic episodes from the
 * resets of seed `seed`, under the agent's env options or `envOptions`. What `priorlab eval` prints, and what
 * `npm run figures` reads.
 */
export function evaluateRun(
  dir: string,
  opts: { episodes: number; seed: number; envOptions?: Record<string, unknown> },
): RunEvaluation {
  const agent = loadRunAgent(dir, opts.seed, opts.envOptions);
  try {
    const streams = new RngStreams(`eval/${opts.seed}`);
    const statsRng = streams.get('stats');
    let klSum = 0;
    let hSum = 0;
    let steps = 0;
    const eps = runEpisodes(agent.learner, agent.makeEnv, opts.episodes, streams.get('reset'), {
      onStep: (live) => {
        const s = agent.learner.stats(live, statsRng);
        klSum += s.kl * live.length;
        hSum += s.entropy * live.length;
        steps += live.length;
      },
    });
    const [mean, std] = meanStd(eps.map((e) => e.return));
    const success = successOf(agent.manifest.env.id);
    return {
      manifest: agent.manifest,
      objective: agent.objective.label,
      episodes: opts.episodes,
      mean,
      std,
      successes: success ? eps.filter(success).length : null,
      meanLength: meanStd(eps.map((e) => e.length))[0],
      kl: klSum / steps,
      entropy: hSum / steps,
    };
  } finally {
    agent.dispose();
  }
}

/** `priorlab eval <run>`: the CLI command; returns the exit code. */
export async function evalMain(args: string[]): Promise<number> {
  const [dir, flags] = runFolderArg(args, 'eval');
  const [opts] = validateFlags(flags, [evalOptions] as const);
  const envOptions = opts.envOptions === undefined ? undefined : parseEnvOptions(opts.envOptions);
  const { initNodeBackend } = await import('../backend.js');
  await initNodeBackend(undefined);
  const r = evaluateRun(dir, { episodes: opts.episodes, seed: opts.seed, envOptions });
  const m = r.manifest;
  const options = opts.envOptions === undefined ? '' : ` (env options ${opts.envOptions})`;
  console.log(
    `${m.algo} on ${m.env.id}${options}, objective ${r.objective}, trained ${m.step} steps; ${opts.episodes} deterministic episodes, seed ${opts.seed}`,
  );
  console.log('| metric | value |\n|---|---|');
  console.log(`| return | ${r.mean.toFixed(2)} ± ${r.std.toFixed(2)} |`);
  console.log(
    `| success rate | ${r.successes !== null ? `${((100 * r.successes) / r.episodes).toFixed(1)}%` : 'not defined for this env'} |`,
  );
  console.log(`| episode length | ${r.meanLength.toFixed(1)} |`);
  console.log(`| KL(π‖prior) per step | ${r.kl.toFixed(4)} nats |`);
  console.log(`| entropy per step | ${r.entropy.toFixed(4)} nats |`);
  return 0;
}

/** How an episode ended, in words: the gridworld cell it entered, the goal it reached, or the time limit. */
export function outcomeText(env: Env, ep: EpisodeResult, last: Observation): string {
  if (!ep.terminated) return 'time limit';
  const cell = cellKindAt(env, last);
  if (cell === 'goal') return 'reached the goal';
  if (cell === 'hazard') return 'ended in a hazard';
  if (typeof ep.info.goal === 'string') return `reached the ${ep.info.goal} goal`;
  const success = successOf(env.id);
  return success === null ? 'terminated' : success(ep) ? 'reached the goal' : 'terminated off the goal';
}

/** One watched episode: its result, and per time step t = 0 … T the observation and its caption. */
interface Watched {
  result: EpisodeResult;
  obs: Observation[];
  outcome: string;
  /**
   * Two lines per step: `step t/T` and the action taken from s_t (none at s_T); the return so far (rewards
   * r_0 … r_{t−1}), and at s_T how the episode ended. `episode` prefixes the step when several are watched.
   */
  captions: string[][];
}

function watch(agent: LoadedAgent, env: Env, seed: number, episode: string): Watched {
  const [result] = runEpisodes(agent.learner, agent.makeEnv, 1, [seed], { record: true });
  const tr = result.trajectory!;
  const tabular = agent.learner.observationSpace.kind === 'discrete';
  const obs = tr.obs.map((o): Observation => (tabular ? o[0] : Float32Array.from(o)));
  const T = tr.actions.length;
  const outcome = outcomeText(env, result, obs[T]);
  let ret = 0;
  const captions = obs.map((_, t) => {
    const lines = [
      `${episode}step ${t}/${T}${t < T ? `  ${actionText(env, tr.actions[t])}` : ''}`,
      `return ${ret.toFixed(2)}${t === T ? `  ${outcome}` : ''}`,
    ];
    if (t < T) ret += tr.rewards[t];
    return lines;
  });
  return { result, obs, outcome, captions };
}

/** `priorlab enjoy <run>`: the CLI command; returns the exit code. */
export async function enjoyMain(args: string[]): Promise<number> {
  const [dir, flags] = runFolderArg(args, 'enjoy');
  const [opts] = validateFlags(flags, [enjoyOptions] as const);
  if (opts.out !== undefined && existsSync(opts.out) && statSync(opts.out).isDirectory())
    throw new UsageError(`--out: '${opts.out}' is a folder; allowed: a file name for the GIF, e.g. rollout.gif`);
  const { initNodeBackend } = await import('../backend.js');
  await initNodeBackend(undefined);
  const agent = loadRunAgent(dir, opts.seed);
  try {
    const env = agent.makeEnv();
    if (opts.out !== undefined && !hasScene(env))
      throw new UsageError(
        `--out: ${env.id} has no drawing; allowed: gridworlds, Pendulum-v1, PendulumNoVel-v1, MountainCarContinuous-v0, PointMass-v0`,
      );
    const episodes = Array.from({ length: opts.episodes }, (_, e) =>
      watch(agent, env, opts.seed + e, opts.episodes > 1 ? `episode ${e + 1}/${opts.episodes}  ` : ''),
    );
    const terminal = gridText(env, episodes[0].obs[0]) !== null;
    if (terminal) {
      const tty = process.stdout.isTTY;
      for (const ep of episodes) {
        for (const [t, obs] of ep.obs.entries()) {
          const caption = ep.captions[t].join('  ');
          process.stdout.write(`${tty ? '\x1b[2J\x1b[H' : ''}${caption}\n${gridText(env, obs)}\n${GRID_LEGEND}\n`);
          if (tty) await new Promise((r) => setTimeout(r, 1000 / (opts.fps ?? 4)));
        }
      }
    } else if (opts.out === undefined) {
      console.log(`${env.id} is not a gridworld: watch it as a GIF with --out rollout.gif`);
    }
    for (const [e, ep] of episodes.entries())
      console.log(
        `episode ${e + 1} (seed ${opts.seed + e}): return ${ep.result.return.toFixed(2)} in ${ep.result.length} steps, ${ep.outcome}`,
      );
    if (opts.out !== undefined) {
      const frames = episodes.flatMap((ep) =>
        ep.obs
          .map((obs, t) => ({ obs, t }))
          .filter(({ t }) => t % opts.every === 0 || t === ep.obs.length - 1)
          .map(({ obs, t }) => {
            const scene = sceneOf(env, obs);
            const frame = rasterize(scene, opts.size, sceneHeight(scene, opts.size));
            return withCaption(frame, opts.size, ep.captions[t]);
          }),
      );
      const height = frames[0].length / opts.size;
      writeFileAtomic(resolve(opts.out), encodeGif(frames, opts.size, height, Math.round(1000 / (opts.fps ?? 20))));
      console.log(
        `wrote ${opts.out}: ${frames.length} frames, ${opts.size}×${height} (the scene and a caption: step, action, return, outcome), ${episodes.map((ep) => ep.obs.length - 1).join(' + ')} steps`,
      );
    }
    env.close();
    return 0;
  } finally {
    agent.dispose();
  }
}
