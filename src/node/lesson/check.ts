/**
 * `priorlab lesson --check answers.yaml`: grades a file of answers against the lesson's exercises
 * (`src/lesson/exercises/*.yaml`, the files the viewer loads), one line per answer. Exit codes: 0 every
 * answer correct, 1 some wrong, 2 bad input (no such file, malformed answers, unknown ids).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { asExample, gradeAnswersFile, parseExercises, verdictLine, type Exercise } from '../../lesson/index.js';
import { splitArgs } from '../run/options.js';

const EXERCISES_DIR = fileURLToPath(new URL('../../lesson/exercises/', import.meta.url));

export function loadExercises(dir = EXERCISES_DIR): Exercise[] {
  const names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  return parseExercises(names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
}

/** `argv` is what follows `lesson`; returns the exit code (bad input throws a `UsageError`: exit 2). */
export function lessonCheckMain(argv: readonly string[], print: (line: string) => void = console.log): number {
  const { positional, flags } = splitArgs(argv);
  const file = flags.get('check');
  const extra = [...flags.keys()].filter((k) => k !== 'check');
  if (file === undefined || file === true)
    throw new UsageError('lesson --check: missing value; allowed: a YAML file of answers (see src/lesson/answers/)');
  if (extra.length || positional.length)
    throw new UsageError(
      `lesson --check: unexpected ${extra.length ? `--${extra[0]}` : `'${positional[0]}'`}; allowed: only --check <file>`,
    );
  const exercises = loadExercises();
  const verdicts = gradeAnswersFile(exercises, readFileSync(file, 'utf8'), file);
  let current = '';
  for (const v of verdicts) {
    if (v.exercise !== current) {
      current = v.exercise;
      print(v.params ? `${v.exercise}: ${asExample(v.params).title}` : v.exercise);
    }
    print(verdictLine(v));
  }
  const right = verdicts.filter((v) => v.correct).length;
  print(`${right} of ${verdicts.length} correct`);
  return right === verdicts.length ? 0 : 1;
}
