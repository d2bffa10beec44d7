/**
 * The exercise files as lesson steps (one step per file, in file order): numeric questions typed in and
 * graded by `src/lesson` against `src/vi`, a randomized model per attempt (its seed in the hash), choice
 * questions mapped to the project's Objective, and flashcards. Test ids: `answer-<q>`, `check-<q>`,
 * `verdict-<q>` (`data-correct`), `choice-<q>`, `flashcard-<i>`, `lesson-attempt` (`data-seed`, `data-params`).
 */
import {
  QUANTITIES,
  asExample,
  attemptParams,
  gradeChoice,
  gradeNumeric,
  isRandomized,
  parseExercises,
  questionId,
  type ChoiceExercise,
  type Exercise,
  type NumericExercise,
  type Verdict,
} from '../../lesson/index.js';
import { button, h } from '../ui.js';
import { prose, type Step, type StepHost } from './sections.js';

/** The YAML files, bundled by vite as text: a new file in the folder is a new step, no code. */
const FILES = import.meta.glob('../../lesson/exercises/*.yaml', { query: '?raw', import: 'default', eager: true });

export function loadExercises(): Exercise[] {
  return parseExercises(
    Object.entries(FILES).map(([path, text]) => ({ name: path.split('/').pop()!, text: text as string })),
  );
}

/** A number as a student types it: the minus sign and a decimal comma are accepted. */
const parseAnswer = (s: string): number =>
  s.trim() === '' ? NaN : Number(s.trim().replace('−', '-').replace(',', '.'));

function showVerdict(el: HTMLElement, v: Verdict, detail: string): void {
  el.dataset.correct = String(v.correct);
  el.className = `lesson-verdict ${v.correct ? 'ok' : 'bad'}`;
  const empty = v.given === '' || (typeof v.given === 'number' && Number.isNaN(v.given));
  el.textContent = v.correct
    ? `✓ correct${detail}`
    : empty
      ? `✗ no answer yet. Hint: ${v.hint}`
      : `✗ wrong. Hint: ${v.hint}`;
}

/** One row per question, a Check button each, and Check all with the score. */
function questionRows(
  host: StepHost,
  rows: Array<{
    id: string;
    prompt: string;
    note?: string;
    input: HTMLElement;
    grade: () => Verdict;
    detail: (v: Verdict) => string;
  }>,
): void {
  const list = h('div', { class: 'lesson-questions' });
  const score = h('p', { class: 'note', 'data-testid': 'lesson-score' });
  const checks: Array<() => boolean> = [];
  for (const r of rows) {
    const row = h('div', { class: 'lesson-q' });
    const label = h('label', { class: 'lesson-q-prompt', for: `answer-${r.id}` }, r.prompt);
    const verdict = h('div', { class: 'lesson-verdict', 'data-testid': `verdict-${r.id}` });
    const check = () => {
      const v = r.grade();
      showVerdict(verdict, v, r.detail(v));
      return v.correct;
    };
    checks.push(check);
    const controls = h('div', { class: 'lesson-q-controls' });
    controls.append(r.input);
    button(controls, `check-${r.id}`, 'Check', check);
    row.append(label, controls);
    if (r.note) row.append(h('div', { class: 'note' }, r.note));
    row.append(verdict);
    list.append(row);
  }
  host.live.append(list);
  button(host.live, 'check-all', 'Check all', () => {
    const right = checks.map((c) => c()).filter(Boolean).length;
    score.textContent = `${right} of ${checks.length} correct`;
    score.dataset.right = String(right);
  });
  host.live.append(score);
}

function numericStep(ex: NumericExercise): Step {
  const random = isRandomized(ex);
  return {
    id: ex.id,
    title: ex.title,
    render(host) {
      // A fresh visit starts an attempt of its own (the clock picks the seed, recorded in the hash at once,
      // so a reload or a shared link shows the same model); a teacher's link with attempt=<n> fixes it.
      const asked = Number(host.extra.attempt);
      const seed = host.extra.attempt && Number.isSafeInteger(asked) && asked >= 0 ? asked : Date.now() % 1_000_000;
      const params = attemptParams(ex, random ? seed : 0);
      prose(host.text, [ex.prompt]);
      const model = h('p', { class: 'lesson-math', 'data-testid': 'lesson-attempt' }, asExample(params).title);
      model.dataset.params = JSON.stringify(params);
      model.dataset.seed = String(seed);
      host.text.append(model);
      if (random) {
        host.text.append(
          h('p', { class: 'note' }, `Attempt seed ${seed}: give it with your answers to priorlab lesson --check.`),
        );
        button(host.controls, 'lesson-new-attempt', 'New attempt (new model)', () => {
          host.record({ attempt: String(seed + 1) });
          host.rerender();
        });
        if (!('attempt' in host.extra)) host.record({ attempt: String(seed) });
      }
      host.controls.append(
        h(
          'p',
          { class: 'note' },
          `Answers are checked to ±${ex.tolerance} against the project's own functions (named under each question).`,
        ),
      );
      questionRows(
        host,
        ex.questions.map((q) => {
          const id = questionId(q);
          const input = h('input', {
            type: 'text',
            inputmode: 'decimal',
            id: `answer-${id}`,
            'data-testid': `answer-${id}`,
            autocomplete: 'off',
          });
          return {
            id,
            prompt: q.prompt,
            note: `checked against ${[q.quantity, ...(q.alsoEquals ?? [])].map((n) => QUANTITIES[n].formula).join(' and ')}`,
            input,
            grade: () => gradeNumeric(ex, params, q, parseAnswer(input.value)),
            detail: (v) =>
              v.checks.length > 1
                ? `: ${v.checks.map((c) => `${QUANTITIES[c.name as keyof typeof QUANTITIES].label} = ${(c.value as number).toFixed(6)}`).join(', ')}`
                : `: ${(v.checks[0].value as number).toFixed(6)}`,
          };
        }),
      );
    },
  };
}

function choiceStep(ex: ChoiceExercise): Step {
  return {
    id: ex.id,
    title: ex.title,
    render(host) {
      prose(host.text, [
        ex.prompt,
        'A right answer about the prior or the likelihood also names the Objective priorlab builds for the algorithm.',
      ]);
      const rows = ex.groups.flatMap((g) =>
        ex.questions
          .filter((q) => q.group === g.id)
          .map((q) => {
            const sel = h('select', { id: `answer-${q.id}`, 'data-testid': `choice-${q.id}` });
            sel.append(h('option', { value: '' }, 'choose…'));
            for (const o of ex.options) sel.append(h('option', { value: o.id }, o.label));
            return {
              id: q.id,
              prompt: `${g.name}: ${q.prompt}`,
              input: sel,
              grade: () => gradeChoice(ex, q, sel.value),
              detail: () =>
                q.role === 'prior'
                  ? ` (in priorlab: the Objective with prior '${g.objective.prior}')`
                  : q.role === 'likelihood'
                    ? ` (in priorlab: the Objective's temperature ${g.objective.temperature})`
                    : '',
            };
          }),
      );
      questionRows(host, rows);
    },
  };
}

function flashcardStep(ex: Extract<Exercise, { kind: 'flashcards' }>): Step {
  return {
    id: ex.id,
    title: ex.title,
    render(host) {
      prose(host.text, ['Say the answer out loud, then turn the card.']);
      const grid = h('div', { class: 'lesson-cards' });
      ex.cards.forEach((c, i) => {
        const card = h('div', { class: 'card lesson-card' });
        const back = h('p', { class: 'lesson-card-back', hidden: '' }, c.back);
        card.append(h('p', { class: 'lesson-card-front' }, c.front), back);
        const b = button(card, `flashcard-${i}`, 'Show answer', () => {
          back.hidden = !back.hidden;
          b.textContent = back.hidden ? 'Show answer' : 'Hide answer';
        });
        grid.append(card);
      });
      host.live.append(grid);
    },
  };
}

export function exerciseSteps(exercises: readonly Exercise[]): Step[] {
  return exercises.map((ex) =>
    ex.kind === 'numeric' ? numericStep(ex) : ex.kind === 'choice' ? choiceStep(ex) : flashcardStep(ex),
  );
}
