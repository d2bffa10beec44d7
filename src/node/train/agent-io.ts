/**
 * The saved agent inside a run folder: `agent.json` (the manifest) and `agent.bin` (the policy's weights,
 * float32 little-endian, tensors one after another in the manifest's order). Each is written atomically, the
 * weights first, so a manifest always describes weights that exist; the manifest holds their sha256, so a
 * torn or edited `agent.bin` is caught on load. Loading checks the format version, the checksum and the
 * sizes; `checkAgentFits` checks the env id and spaces (the checks live in `agents/saved-agent.ts`, shared with the
 * viewer). Every failure is a `UsageError` (exit 2) that names
 * the file, what is wrong and what is allowed.
 *
 * The manifest itself carries a digest too (`digest`: the sha256 of the manifest's JSON without that field,
 * written in the same atomic write), so an edited config, objective or tensor list is refused; and before the
 * shared checks see it, its shape is checked here (`MANIFEST_FRAME`) and keys such as `__proto__` are refused,
 * so a crafted file gets a message naming the field, never a JavaScript error.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifestFrame, manifestDigestError, manifestDigestText } from '../../core/manifestframe.js';
import { parseJsonInput } from '../../core/safekeys.js';
import { cannotRead } from '../run/errors.js';
import type { Learner, PolicyWeights } from '../../agents/learner.js';
import {
  AGENT_FILES,
  AGENT_FORMAT_VERSION,
  agentWeights,
  parseAgentManifest,
  type AgentManifest,
} from '../../agents/saved-agent.js';
import type { ObjectiveSpec } from '../../priors/index.js';
import { UsageError } from '../../core/errors.js';

export { AGENT_FILES, AGENT_FORMAT_VERSION, checkAgentFits, type AgentManifest } from '../../agents/saved-agent.js';

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** The digest of a manifest: the sha256 of its JSON text without the `digest` field (key order as written). */
export function manifestDigest(manifest: Record<string, unknown>): string {
  return sha256(manifestDigestText(manifest));
}

/** Checks a manifest's text as read from `where` (safe keys, frame, digest) before `parseAgentManifest`. */
export function checkManifestText(text: string, where: string): AgentManifest {
  const value = parseJsonInput(text, where);
  const digest = checkManifestFrame(value, where);
  const manifest = parseAgentManifest(text, where);
  if (manifestDigest(value as Record<string, unknown>) !== digest) throw manifestDigestError(where);
  return manifest;
}

/** Writes the agent with `writeFile` (a `RunContext`'s atomic writer): weights, then the manifest. */
export function saveAgent(
  writeFile: (name: string, data: string | Uint8Array) => void,
  learner: Learner,
  meta: {
    envId: string;
    envOptions: Record<string, unknown>;
    objective: ObjectiveSpec;
    config: Record<string, unknown>;
    packageVersion: string;
    step: number;
  },
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
    env: {
      id: meta.envId,
      options: meta.envOptions,
      observationSpace: learner.observationSpace.toString(),
      actionSpace: learner.actionSpace.toString(),
    },
    objective: meta.objective,
    config: meta.config,
    networks: learner.networkSizes(),
    tensors,
    sha256: sha256(bytes),
    packageVersion: meta.packageVersion,
    step: meta.step,
  };
  const signed = { ...manifest, digest: manifestDigest(manifest as unknown as Record<string, unknown>) };
  writeFile(AGENT_FILES.manifest, `${JSON.stringify(signed, null, 2)}\n`);
}

/** Reads and checks a run folder's saved agent (the checks are `agents/saved-agent.ts`'s, shared with the viewer). */
export function loadAgent(dir: string): { manifest: AgentManifest; weights: PolicyWeights } {
  const mPath = join(dir, AGENT_FILES.manifest);
  const wPath = join(dir, AGENT_FILES.weights);
  const read = (path: string, missing: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(missing);
      throw new UsageError(`${path}: ${cannotRead(err)}`);
    }
  };
  const text = read(
    mPath,
    `${dir}: no saved agent (${AGENT_FILES.manifest} is missing); allowed: a run folder written by 'priorlab train'`,
  ).toString('utf8');
  const manifest = checkManifestText(text, mPath);
  const bytes = new Uint8Array(read(wPath, `${dir}: ${AGENT_FILES.weights} is missing (the manifest refers to it)`));
  return { manifest, weights: agentWeights(manifest, bytes, sha256(bytes), wPath) };
}
