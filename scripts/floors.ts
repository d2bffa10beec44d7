/**
 * The floors of the code (docs/ARCHITECTURE.md draws them) and the check that no import runs up one.
 *
 * An area is a folder of `src/` (or `experiments/`); each sits on one floor. A file may import its own area
 * and any area on a lower floor, never a sibling on its own floor nor anything above. Code the browser loads
 * (every area but `node` and `experiments`) never imports a Node-only module at run time (type-only imports
 * are erased, so they are allowed). `scripts/`, `bench/` and `tests/` stand on top of everything and are not
 * checked; nothing checked may import them.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import ts from 'typescript';

/** Floor of each area, bottom (0) to top. */
export const FLOORS: Readonly<Record<string, number>> = {
  core: 0,
  vi: 1,
  envs: 1,
  nn: 1,
  priors: 2,
  agents: 3,
  worldmodel: 2,
  lesson: 3,
  node: 4,
  viz: 4,
  /** `src/index.ts`, the library's browser-safe entry `priorlab`: beside viz and node, so it imports neither. */
  'index.ts': 4,
  experiments: 5,
  top: 6,
};

/** Areas the browser never loads: they may import Node-only modules. */
const NODE_AREAS = new Set(['node', 'experiments']);

/** Packages that run only in Node, besides Node's built-in modules. */
const NODE_ONLY_PACKAGES = new Set(['@tensorflow/tfjs-node', 'bullmq', 'ioredis']);

export function isNodeOnly(specifier: string): boolean {
  return (
    specifier.startsWith('node:') ||
    builtinModules.includes(specifier.split('/')[0]) ||
    NODE_ONLY_PACKAGES.has(specifier) ||
    [...NODE_ONLY_PACKAGES].some((p) => specifier.startsWith(`${p}/`))
  );
}

/** Areas outside `src/`: the experiments, and the folders on top. */
const OUTSIDE_SRC: Readonly<Record<string, string>> = {
  experiments: 'experiments',
  scripts: 'top',
  bench: 'top',
  tests: 'top',
  examples: 'top',
};

/**
 * The area of a repository path (`src/agents/sac/loop.ts` → `agents`); `undefined` for a `src/` folder that
 * is on no floor yet, null for a path outside the floors (package.json, assets).
 */
export function areaOf(path: string): string | null | undefined {
  const [first, second] = path.split('/');
  if (first !== 'src') return Object.hasOwn(OUTSIDE_SRC, first) ? OUTSIDE_SRC[first] : null;
  return Object.hasOwn(FLOORS, second) && FLOORS[second] < FLOORS.experiments ? second : undefined;
}

export interface ImportRef {
  specifier: string;
  /** Erased at compile time (`import type`, `export type`, `typeof import('…')`). */
  typeOnly: boolean;
}

/** Every import, re-export and literal dynamic `import('…')` of a TypeScript source. */
export function importsOf(fileName: string, source: string): ImportRef[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      refs.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return refs;
}

/** One line per import that breaks a rule, for the files given as repository path → source text. */
export function floorViolations(files: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, source] of files) {
    const from = areaOf(path);
    if (from === undefined) lines.push(`${path}: its folder is on no floor (add it to FLOORS in scripts/floors.ts)`);
    if (from == null || from === 'top') continue;
    for (const { specifier, typeOnly } of importsOf(path, source)) {
      if (specifier.startsWith('.')) {
        const to = areaOf(posix.join(posix.dirname(path), specifier));
        if (to == null || to === from || FLOORS[to] < FLOORS[from]) continue;
        lines.push(`${path}: imports '${specifier}': ${from} (floor ${FLOORS[from]}) → ${to} (floor ${FLOORS[to]})`);
      } else if (!typeOnly && !NODE_AREAS.has(from) && isNodeOnly(specifier)) {
        lines.push(`${path}: imports '${specifier}': ${from} (floor ${FLOORS[from]}, browser) → Node-only module`);
      }
    }
  }
  return lines;
}
