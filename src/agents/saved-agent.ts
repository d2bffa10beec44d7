/**
 * The saved agent's format and its checks, shared by Node (`src/node/train/agent-io.ts`: run folders) and the
 * browser (the viewer's shipped agents and its file input). `agent.json` is the manifest; `agent.bin` the
 * policy's weights, float32 little-endian, tensors one after another in the manifest's order, with their
 * sha256 in the manifest so a torn or edited `agent.bin` is caught. Hashing is the caller's (Node's crypto or
 * WebCrypto), so this module stays synchronous and browser-safe. Every failure is a `UsageError` that names
 * the file, what is wrong and what is allowed.
 */
import { UsageError } from '../core/errors.js';
import type { Space } from '../core/spaces.js';
import type { ObjectiveSpec } from '../priors/index.js';
import { ALGOS, type Algo, type PolicyWeights } from './learner.js';

/** The version of the saved-agent format (`agent.json`'s `formatVersion`); loading refuses newer ones. */
export const AGENT_FORMAT_VERSION = 1;
/** The file names of a saved agent in a run folder: the manifest and the float32 weights. */
export const AGENT_FILES = { manifest: 'agent.json', weights: 'agent.bin' } as const;

/** `agent.json`: algorithm, env id and spaces, objective, config, network sizes, weight layout and checksum. */
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

/** Parses and checks `agent.json`'s text (`where` names the file in errors): format, version, algorithm. */
export function parseAgentManifest(text: string, where: string): AgentManifest {
  let manifest: AgentManifest;
  try {
    manifest = JSON.parse(text) as AgentManifest;
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${(err as Error).message}); the saved agent is corrupted`);
  }
  if (manifest?.format !== 'priorlab-agent')
    throw new UsageError(`${where}: format ${JSON.stringify(manifest?.format)}; allowed: "priorlab-agent"`);
  if (manifest.formatVersion !== AGENT_FORMAT_VERSION) {
    const newer = typeof manifest.formatVersion === 'number' && manifest.formatVersion > AGENT_FORMAT_VERSION;
    throw new UsageError(
      `${where}: formatVersion ${JSON.stringify(manifest.formatVersion)} ${newer ? 'is newer than this priorlab reads' : 'is not supported'}; allowed: ${AGENT_FORMAT_VERSION}${newer ? ' (upgrade priorlab)' : ''}`,
    );
  }
  if (!ALGOS.includes(manifest.algo))
    throw new UsageError(`${where}: algo ${JSON.stringify(manifest.algo)}; allowed: ${ALGOS.join(', ')}`);
  return manifest;
}

/** Checks `agent.bin`'s bytes against the manifest (size, then `sha256Hex`, the caller's hash of them) and splits them into tensors. */
export function agentWeights(
  manifest: AgentManifest,
  bytes: Uint8Array,
  sha256Hex: string,
  where: string,
): PolicyWeights {
  const want = manifest.tensors.reduce((s, t) => s + t.length, 0) * 4;
  if (bytes.length !== want)
    throw new UsageError(
      `${where}: ${bytes.length} bytes, the manifest's tensors need ${want}; the saved agent is corrupted`,
    );
  if (sha256Hex !== manifest.sha256)
    throw new UsageError(`${where}: sha256 does not match ${AGENT_FILES.manifest}'s; the saved agent is corrupted`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: PolicyWeights = {};
  let off = 0;
  for (const t of manifest.tensors) {
    weights[t.name] = floats.slice(off, off + t.length);
    off += t.length;
  }
  return weights;
}

/** Throws unless the agent was trained on `env` (same id and spaces). `what` names the argument, e.g. `--reference`. */
export function checkAgentFits(
  manifest: AgentManifest,
  env: { id: string; observationSpace: Space; actionSpace: Space },
  what: string,
  dir: string,
): void {
  if (manifest.env.id !== env.id)
    throw new UsageError(
      `${what} ${dir}: an agent of ${manifest.env.id}, not ${env.id}; allowed: a run folder of ${env.id}`,
    );
  for (const k of ['observationSpace', 'actionSpace'] as const) {
    if (manifest.env[k] !== env[k].toString()) {
      throw new UsageError(
        `${what} ${dir}: the agent's ${k} ${manifest.env[k]} does not match ${env.id}'s ${env[k].toString()}`,
      );
    }
  }
}
