/**
 * Input that becomes an object (a JSON run file, a YAML spec, `--env-options`, an agent manifest) may not carry
 * the keys that reach an object's prototype: `__proto__`, `constructor`, `prototype`. `JSON.parse` keeps them
 * as own properties, but any later spread, merge or lookup by name (`table[key]`) can then reach
 * `Object.prototype` or a class. One check for every reader, browser-safe (no Node modules).
 */
import { UsageError } from './errors.js';

/** The keys refused in any input object. */
export const UNSAFE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Deepest nesting accepted (JSON this deep is never a real file; recursion on it would overflow the stack). */
export const MAX_DEPTH = 200;

/** The path of the first unsafe key in `value` (`a.b[2].__proto__`), or null when there is none. */
export function unsafeKeyPath(value: unknown): string | null {
  const stack: Array<[unknown, string, number]> = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_DEPTH) return `${path} (nested deeper than ${MAX_DEPTH})`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    if (ArrayBuffer.isView(v)) continue;
    const keys = Object.keys(v);
    for (const k of keys) if (UNSAFE_KEYS.includes(k)) return path ? `${path}.${k}` : k;
    for (let i = keys.length - 1; i >= 0; i--)
      stack.push([(v as Record<string, unknown>)[keys[i]], path ? `${path}.${keys[i]}` : keys[i], depth + 1]);
  }
  return null;
}

/**
 * Throws a UsageError when `value` holds an unsafe key: `<where>: key '__proto__' at a.b is not allowed
 * (__proto__, constructor and prototype are refused in input)`; returns `value` otherwise.
 */
export function checkSafeKeys<T>(value: T, where: string): T {
  const path = unsafeKeyPath(value);
  if (path === null) return value;
  const key = UNSAFE_KEYS.find((k) => path === k || path.endsWith(`.${k}`));
  throw new UsageError(
    key === undefined
      ? `${where}: ${path}; allowed: at most ${MAX_DEPTH} levels of nesting`
      : `${where}: key '${key}' at ${path} is not allowed (${UNSAFE_KEYS.join(', ')} are refused in input)`,
  );
}

/** `JSON.parse` of input text, then `checkSafeKeys`; a parse error is a UsageError naming `where`. */
export function parseJsonInput(text: string, where: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${where}: not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
  }
  return checkSafeKeys(value, where);
}
