import type { z } from 'zod';

/**
 * Bad input from a user (a command-line value, a file they chose): the CLI exits 2 with the message, the
 * viewer shows it. Browser-safe, so checks shared by both (e.g. a saved agent's, `agents/saved-agent.ts`) throw it.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A run that failed for a reason the message names in full (a server that does not answer, a learner that
 * diverged): the CLI exits 1 with the message and no hint to print a stack.
 */
export class RunFailure extends Error {
  override readonly name: string = 'RunFailure';
}

// ─────────────────────────────────────────── user-facing messages: one line each (what, the value, what is allowed)

/** `options.alpha`, `q[3]`; empty for the top level. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** A value as the user wrote it, cut short: `"abc"`, `-1`, `null`, `nothing`. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // JSON.stringify would print NaN and Infinity as null
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** zod's message without its prefixes, one line: `expected number, received string`, `expected number to be >=0`. */
function expectation(issue: z.core.$ZodIssue): string {
  const msg = issue.message.replace(
    /^(Invalid input|Too small|Too big|Invalid option|Invalid string|Invalid element):\s*/,
    '',
  );
  return msg.split('\n')[0];
}

/**
 * The first issue of `err` in one line, `<field>: got <value>; <what is allowed>`, the field named by
 * `name` (default: its path, prefixed with `where`).
 */
export function issueLine(
  err: z.ZodError,
  input: unknown,
  name: (path: readonly PropertyKey[]) => string = pathText,
): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const where = name(issue.path);
    return `${where ? `${where}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  const where = name(issue.path) || 'value';
  return `${where}: got ${shown(valueAt(input, issue.path))}; allowed: ${expectation(issue)}`;
}
