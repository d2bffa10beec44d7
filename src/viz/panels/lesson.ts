/**
 * Lesson tab: the variational-inference lesson walked section by section, each beside the live view
 * that shows it (`viz/lesson/sections.ts`), then the exercises of `src/lesson/exercises/*.yaml`, graded
 * on the page by the same code as `priorlab lesson --check` (`viz/lesson/exercises.ts`). A teacher links
 * to a step with `#panel=lesson&step=3` (1-based); `attempt=<seed>` fixes a randomized attempt.
 */
import { exerciseSteps, loadExercises } from '../lesson/exercises.js';
import { SECTIONS, type StepHost } from '../lesson/sections.js';
import type { PanelModule } from '../panel.js';
import { button, h, section } from '../ui.js';

export const mount: PanelModule['mount'] = async (host, view) => {
  const steps = [...SECTIONS, ...exerciseSteps(loadExercises())];
  const asked = Number(view.state.extra.step);
  let index = Number.isInteger(asked) && asked >= 1 && asked <= steps.length ? asked - 1 : 0;
  let seed = view.state.seed;
  const extra = { ...view.state.extra };

  const nav = section(
    host.sidebar,
    'Lesson',
    'Variational inference for RL: the sections in order, then the exercises.',
  );
  // The list of steps folds away on a phone, where it would push the section below the first screen.
  const toc = h('details', { class: 'lesson-toc' });
  toc.open = !matchMedia('(max-width: 760px)').matches;
  toc.append(h('summary', { 'data-testid': 'lesson-toc' }, `All ${steps.length} steps`));
  const list = h('ol', { class: 'lesson-steps' });
  const links = steps.map((s, i) => {
    const li = h('li');
    const b = button(li, `lesson-step-${i + 1}`, s.title, () => show(i));
    b.classList.add('lesson-step');
    list.append(li);
    return b;
  });
  toc.append(list);
  nav.append(toc);
  const pager = h('div', { class: 'lesson-pager' });
  const prev = button(pager, 'lesson-prev', '← Previous', () => show(index - 1));
  const next = button(pager, 'lesson-next', 'Next →', () => show(index + 1));
  nav.append(pager);
  const controls = section(host.sidebar, 'Controls');

  const title = h('h2', { 'data-testid': 'lesson-title' });
  const body = h('div', { class: 'lesson-body' });
  const text = h('article', { class: 'lesson-text' });
  const live = h('div', { class: 'lesson-live', 'data-testid': 'lesson-live' });
  body.append(text, live);
  const page = h('div', { class: 'lesson-page' });
  page.append(title, body);
  host.main.append(page);

  function show(i: number): void {
    index = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[index];
    links.forEach((b, k) => b.setAttribute('aria-current', String(k === index)));
    prev.disabled = index === 0;
    next.disabled = index === steps.length - 1;
    title.textContent = `${index + 1}. ${step.title}`;
    title.dataset.step = step.id;
    controls.replaceChildren(h('h3', {}, 'Controls'));
    text.replaceChildren();
    live.replaceChildren();
    host.charts.replaceChildren();
    const stepHost: StepHost = {
      controls,
      text,
      live,
      charts: host.charts,
      seed,
      setSeed(s) {
        seed = stepHost.seed = s;
        view.update({ seed });
      },
      extra,
      record(fields) {
        Object.assign(extra, fields);
        view.update({}, fields);
      },
      rerender: () => show(index),
    };
    step.render(stepHost);
    if (controls.childElementCount === 1) controls.append(h('p', { class: 'note' }, 'Nothing to set in this step.'));
    view.update({ seed }, { step: String(index + 1) });
  }
  show(index);
  return () => undefined;
};
