/**
 * The CLI's own texts (usage, `list`, an experiment's `--help`), laid out for a terminal of `columns` columns:
 * wrapped by words, never cutting one (`src/node/run/term.ts`). Kept apart from `cli.ts`, which runs on import,
 * so tests render them in-process at any width.
 */
import type { Experiment } from '../src/node/run/experiment.js';
import { COMMON_OPTIONS, helpLines, helpWidth } from '../src/node/run/options.js';
import { commandPrefix, definitionList, wrap } from '../src/node/run/term.js';
import { EXPERIMENTS } from './index.js';

const USAGE = `usage (from the repository: npm run exp -- <arguments>, or npx priorlab <arguments>):
  priorlab list | --version
  priorlab <experiment> [options]        (priorlab <experiment> --help for its options)
  priorlab --resume <run folder>
  priorlab lesson --check <answers.yaml>   grades a file of answers to the lesson's exercises
  priorlab eval <run folder> [--episodes 100] [--seed 1]
  priorlab enjoy <run folder> [--episodes 1] [--out rollout.gif]
  priorlab compare <run folders or parent folders...> [--metric charts/episodic_return] [--group prior] [--at 1000,5000] [--out plots/]
  priorlab sweep <spec.yaml | sweep folder> [--workers N] [--queue redis://host:port]   (priorlab sweep --help)
  priorlab sweep status <sweep folder | --queue url>
  priorlab worker --queue redis://host:port [--concurrency N]`;

/** USAGE wrapped: each line's continuation indented under its command; `[…]` and `<…>` groups never break. */
export function usageText(columns: number): string {
  return USAGE.split('\n')
    .flatMap((line) => {
      const lead = /^ */.exec(line)![0].length;
      const glued = line.trim().replace(/\[[^\]]*\]|<[^>]*>/g, (g) => g.replace(/ /g, '\u00a0'));
      return wrap(glued, columns, lead + 4, ' '.repeat(lead)).map((l) => l.replace(/\u00a0/g, ' '));
    })
    .join('\n');
}

/** `priorlab list`: every experiment and its summary, the summary wrapped under itself. */
export function listText(columns: number): string[] {
  const rows = EXPERIMENTS.map((e) => [e.name, e.summary] as const);
  return [
    `experiments (${commandPrefix()} <name> --help for options):`,
    ...definitionList(rows, columns, { maxName: 20 }),
  ];
}

/** `priorlab <experiment> --help`: its summary, its options and the common ones, aligned in one column. */
export function helpText(exp: Experiment, columns: number): string[] {
  const width = helpWidth([exp.options, COMMON_OPTIONS]);
  const own = helpLines(exp.options, width, columns);
  return [
    ...wrap(`priorlab ${exp.name}: ${exp.summary}`, columns, 2),
    '',
    ...(own.length ? ['options:', ...own, ''] : []),
    'common options:',
    ...helpLines(COMMON_OPTIONS, width, columns),
  ];
}
