/**
 * The input guards of issue 26 in isolation: unsafe keys (`__proto__`, `constructor`, `prototype`) found at any
 * depth of parsed JSON or YAML, a nesting bound instead of a stack overflow, "cannot read" wording for read
 * errors, and folders made one level at a time (never spinning under a path that cannot hold folders).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { checkSafeKeys, MAX_DEPTH, parseJsonInput, unsafeKeyPath } from '../src/core/safekeys.js';
import { makeFolders } from '../src/node/atomicfs.js';
import { cannotRead, fsErrorLine } from '../src/node/run/errors.js';

describe('unsafe keys', () => {
  it('finds them at any depth, in JSON and YAML, and names the path', () => {
    expect(unsafeKeyPath(JSON.parse('{"a": [1, {"b": {"__proto__": {"x": 1}}}]}'))).toBe('a[1].b.__proto__');
    expect(unsafeKeyPath(parseYaml('grid: {constructor: [1]}'))).toBe('grid.constructor');
    expect(unsafeKeyPath({ options: { prototype: 1 } })).toBe('options.prototype');
    expect(unsafeKeyPath({ a: 'constructor', b: ['__proto__'] })).toBeNull(); // values are data, keys are not
    expect(() => parseJsonInput('{"__proto__": {"polluted": true}}', 'x.json')).toThrow(
      "x.json: key '__proto__' at __proto__ is not allowed (__proto__, constructor, prototype are refused in input)",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds the nesting instead of overflowing the stack', () => {
    const deep = '['.repeat(MAX_DEPTH + 5) + ']'.repeat(MAX_DEPTH + 5);
    expect(() => checkSafeKeys(JSON.parse(deep), 'deep.json')).toThrow(/deep\.json: .*nested deeper than 200/);
    expect(() => checkSafeKeys(JSON.parse('[[[[1]]]]'), 'ok.json')).not.toThrow();
  });

  it('every refusal is a one-line UsageError', () => {
    for (const text of ['{', '{"constructor": 1}', '[{"prototype": 2}]']) {
      let err: unknown;
      try {
        parseJsonInput(text, 'f.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('file-system wording', () => {
  it('read errors say "cannot read", write errors say how to make it writable', () => {
    const e = (code: string, syscall: string, path = '/x') => Object.assign(new Error(code), { code, syscall, path });
    expect(cannotRead(e('EACCES', 'open'))).toBe('cannot read (permission denied, EACCES)');
    expect(fsErrorLine(e('EACCES', 'scandir'))).toBe('/x: cannot read (permission denied, EACCES)');
    expect(fsErrorLine(e('EACCES', 'mkdir'))).toMatch(/permission denied; make the folder writable/);
  });

  it('makeFolders fails with one line under /proc and under a file, and makes nested folders elsewhere', () => {
    const t0 = Date.now();
    expect(() => makeFolders('/proc/nope/deeper')).toThrow(/\/proc\/nope: cannot make this folder/);
    expect(Date.now() - t0).toBeLessThan(2000);
    const root = mkdtempSync(join(tmpdir(), 'priorlab-folders-'));
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeFolders(join(root, 'file', 'sub'))).toThrow(/is a file, so .* cannot be a folder/);
    makeFolders(join(root, 'a', 'b', 'c'));
    makeFolders(join(root, 'a', 'b', 'c'));
  });
});
