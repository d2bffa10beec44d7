/**
 * The frame of a saved agent's manifest (`agent.json`), checked before the format's own checks read it, by the
 * CLI (`src/node/train/agent-io.ts`) and the viewer (`src/viz/control/agents.ts`) alike: every field the loaders
 * touch has its type, keys such as `__proto__` are refused, and `digest` is the sha256 of the manifest's JSON
 * without that field (`manifestDigestText` gives the text; the caller hashes it: Node's crypto or WebCrypto).
 * Browser-safe (zod only).
 */
import { z } from 'zod';
import { UsageError } from './errors.js';
import { checkSafeKeys } from './safekeys.js';

const count = z.number().int().min(0);
const hex64 = (what: string) => z.string().regex(/^[0-9a-f]{64}$/, `the sha256 (64 hex digits) of ${what}`);

export const MANIFEST_FRAME = z.object({
  format: z.string(),
  formatVersion: z.number(),
  algo: z.string(),
  env: z.object({
    id: z.string().min(1),
    options: z.record(z.string(), z.unknown()),
    observationSpace: z.string(),
    actionSpace: z.string(),
  }),
  objective: z.record(z.string(), z.unknown()),
  config: z.record(z.string(), z.unknown()),
  networks: z.record(z.string(), z.array(count.max(1_000_000)).max(64)),
  tensors: z.array(z.object({ name: z.string().min(1), length: count.max(1e9) })).max(10_000),
  sha256: hex64('agent.bin'),
  packageVersion: z.string(),
  step: count,
  digest: hex64('the manifest without this field, written with it'),
});

/** The text whose sha256 is a manifest's `digest`: its JSON without `digest`, keys in the order written. */
export function manifestDigestText(manifest: Record<string, unknown>): string {
  const { digest: _, ...rest } = manifest;
  return JSON.stringify(rest);
}

/** `field a.b: got x; allowed: …` or `the file: …` for the first issue. */
function issueText(err: z.ZodError, input: unknown): string {
  const issue = err.issues[0];
  let v: unknown = input;
  for (const k of issue.path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  const where = issue.path.length ? `field ${issue.path.map(String).join('.')}` : 'the file';
  let shown: string;
  try {
    shown = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    shown = String(v);
  }
  if (shown.length > 40) shown = `${shown.slice(0, 37)}...`;
  return `${where}: got ${shown}; allowed: ${issue.message.split('\n')[0]}`;
}

/**
 * Checks a manifest's parsed value from `where`: safe keys, then the frame. Returns the digest it claims;
 * compare it with the sha256 of `manifestDigestText(value)`. Throws a UsageError naming the field.
 */
export function checkManifestFrame(value: unknown, where: string): string {
  checkSafeKeys(value, where);
  const frame = MANIFEST_FRAME.safeParse(value);
  if (!frame.success)
    throw new UsageError(`${where}: ${issueText(frame.error, value)}; the saved agent is damaged or not priorlab's`);
  return frame.data.digest;
}

/** The one-line error of a manifest whose digest does not match. */
export function manifestDigestError(where: string): UsageError {
  return new UsageError(
    `${where}: field digest does not match the manifest's contents (it was changed after it was written); the saved agent is damaged: train it again`,
  );
}
