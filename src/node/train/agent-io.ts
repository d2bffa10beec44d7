/**
 * The saved agent inside a run folder: `agent.json` (the manifest) and `agent.bin` (the policy's weights,
 * float32 little-endian, tensors one after another in the manifest's order). Each is written atomically, the
 * weights first, so a manifest always describes weights that exist; the manifest holds their sha256, so a
 * torn or edited `agent.bin` is caught on load. Loading checks the format version, the checksum and the
 * sizes; `checkAgentFits` checks the env id and spaces. Every failure is a `UsageError` (exit 2) that names
 * the file, what is wrong and what is allowed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALGOS, type Algo, type Learner, type PolicyWeights } from '../../agents/learner.js';
import type { Env } from '../../envs/env.js';
import type { ObjectiveSpec } from '../../priors/index.js';
import { UsageError } from '../run/options.js';

export const AGENT_FORMAT_VERSION = 1;
export const AGENT_FILES = { manifest: 'agent.json', weights: 'agent.bin' } as const;

export interface AgentManifest {
  format: 'priorlab-agent';
  formatVersion: number;
  algo: Algo;
  /** The env and the options it was made with (`make(id, options)`). */
  env: { id: string; options: Record<string, unknown>; observationSpace: string; actionSpace: string };
  /** The objective the agent was trained under (normalized spec; `reference` names the reference used). */
  objective: ObjectiveSpec;
  /** The resolved hyperparameters (the learner's config). */
  config: Record<string, unknown>;
  /** Network widths, input to output. */
  networks: Record<string, number[]>;
  /** The tensors of `agent.bin`, in order. */
  tensors: { name: string; length: number }[];
  sha256: string;
  packageVersion: string;
  /** Environment steps trained. */
  step: number;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Writes the agent with `writeFile` (a `RunContext`'s atomic writer): weights, then the manifest. */
export function saveAgent(
  writeFile: (name: string, data: string | Uint8Array) => void,
  learner: Learner,
  meta: { envId: string; envOptions: Record<string, unknown>; objective: ObjectiveSpec; config: Record<string, unknown>; packageVersion: string; step: number },
): void {
  const weights = learner.policyWeights();
  const tensors = Object.entries(weights).map(([name, w]) => ({ name, length: w.length }));
  const floats = new Float32Array(tensors.reduce((s, t) => s + t.length, 0));
  let off = 0;
  for (const [, w] of Object.entries(weights)) {
    floats.set(w, off);
    off += w.length;
  }
  const bytes = new Uint8Array(floats.buffer);
  writeFile(AGENT_FILES.weights, bytes);
  const manifest: AgentManifest = {
    format: 'priorlab-agent',
    formatVersion: AGENT_FORMAT_VERSION,
    algo: learner.algo,
    env: { id: meta.envId, options: meta.envOptions, observationSpace: learner.observationSpace.toString(), actionSpace: learner.actionSpace.toString() },
    objective: meta.objective,
    config: meta.config,
    networks: learner.networkSizes(),
    tensors,
    sha256: sha256(bytes),
    packageVersion: meta.packageVersion,
    step: meta.step,
  };
  writeFile(AGENT_FILES.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads and checks a run folder's saved agent (see the module comment for what is checked). */
export function loadAgent(dir: string): { manifest: AgentManifest; weights: PolicyWeights } {
  const mPath = join(dir, AGENT_FILES.manifest);
  const wPath = join(dir, AGENT_FILES.weights);
  if (!existsSync(mPath)) throw new UsageError(`${dir}: no saved agent (${AGENT_FILES.manifest} is missing); allowed: a run folder written by 'priorlab train'`);
  let manifest: AgentManifest;
  try {
    manifest = JSON.parse(readFileSync(mPath, 'utf8')) as AgentManifest;
  } catch (err) {
    throw new UsageError(`${mPath}: not valid JSON (${(err as Error).message}); the saved agent is corrupted`);
  }
  if (manifest?.format !== 'priorlab-agent') throw new UsageError(`${mPath}: format ${JSON.stringify(manifest?.format)}; allowed: "priorlab-agent"`);
  if (manifest.formatVersion !== AGENT_FORMAT_VERSION) {
    const newer = typeof manifest.formatVersion === 'number' && manifest.formatVersion > AGENT_FORMAT_VERSION;
    throw new UsageError(
      `${mPath}: formatVersion ${JSON.stringify(manifest.formatVersion)} ${newer ? 'is newer than this priorlab reads' : 'is not supported'}; allowed: ${AGENT_FORMAT_VERSION}${newer ? ' (upgrade priorlab)' : ''}`,
    );
  }
  if (!ALGOS.includes(manifest.algo)) throw new UsageError(`${mPath}: algo ${JSON.stringify(manifest.algo)}; allowed: ${ALGOS.join(', ')}`);
  if (!existsSync(wPath)) throw new UsageError(`${dir}: ${AGENT_FILES.weights} is missing (the manifest refers to it)`);
  const bytes = new Uint8Array(readFileSync(wPath));
  const want = manifest.tensors.reduce((s, t) => s + t.length, 0) * 4;
  if (bytes.length !== want) throw new UsageError(`${wPath}: ${bytes.length} bytes, the manifest's tensors need ${want}; the saved agent is corrupted`);
  if (sha256(bytes) !== manifest.sha256) throw new UsageError(`${wPath}: sha256 does not match ${AGENT_FILES.manifest}'s; the saved agent is corrupted`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: PolicyWeights = {};
  let off = 0;
  for (const t of manifest.tensors) {
    weights[t.name] = floats.slice(off, off + t.length);
    off += t.length;
  }
  return { manifest, weights };
}

/** Throws unless the agent was trained on `env` (same id and spaces). `what` names the argument, e.g. `--reference`. */
export function checkAgentFits(manifest: AgentManifest, env: Env, what: string, dir: string): void {
  if (manifest.env.id !== env.id) throw new UsageError(`${what} ${dir}: an agent of ${manifest.env.id}, not ${env.id}; allowed: a run folder of ${env.id}`);
  for (const k of ['observationSpace', 'actionSpace'] as const) {
    if (manifest.env[k] !== env[k].toString()) {
      throw new UsageError(`${what} ${dir}: the agent's ${k} ${manifest.env[k]} does not match ${env.id}'s ${env[k].toString()}`);
    }
  }
}
