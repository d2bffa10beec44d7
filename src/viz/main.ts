/**
 * App shell: a header with one tab per panel, and for the active panel a controls sidebar, a main area
 * and a charts row. Panels load lazily; the URL hash (`#panel=gridworld&prior=uniform&alpha=0.5&seed=1…`)
 * restores the view, and `document.body.dataset.ready` names the panel once it has finished mounting
 * (`data-error` holds the message if it failed), which is what the browser tests wait for.
 */
import './style.css';
import { DEFAULT_STATE, formatHash, parseHash, type PanelId, type ViewState } from './state.js';
import type { PanelModule, ViewController } from './panel.js';
import { h, type PanelHost } from './ui.js';

const TABS: ReadonlyArray<{ id: PanelId; label: string; load: () => Promise<PanelModule> }> = [
  { id: 'gridworld', label: 'Gridworld', load: () => import('./panels/gridworld.js') },
  { id: 'train', label: 'Live training', load: () => import('./panels/train.js') },
  { id: 'elbo', label: 'ELBO playground', load: () => import('./panels/elbo.js') },
  { id: 'control', label: 'Continuous control', load: () => import('./panels/control.js') },
  { id: 'tokens', label: 'Tokens', load: () => import('./panels/tokens.js') },
  { id: 'runs', label: 'Runs', load: () => import('./panels/runs.js') },
  { id: 'worldmodel', label: 'World model', load: () => import('./panels/worldmodel.js') },
  { id: 'irl', label: 'Inverse RL', load: () => import('./panels/irl.js') },
  { id: 'lesson', label: 'Lesson', load: () => import('./panels/lesson.js') },
];

const nav = document.getElementById('tabs')!;

/**
 * Empty hosts for a new mount: each host element is swapped for a fresh copy (same id and classes), so a
 * superseded mount that is still loading keeps writing into detached elements, never under the new panel.
 */
function freshHost(): PanelHost {
  const fresh = (id: string): HTMLElement => {
    const old = document.getElementById(id)!;
    const el = old.cloneNode(false) as HTMLElement;
    old.replaceWith(el);
    return el;
  };
  return { sidebar: fresh('sidebar'), main: fresh('main'), charts: fresh('charts') };
}
let dispose: (() => void) | null = null;
let generation = 0;

for (const t of TABS) {
  const a = h('a', { href: formatHash({ ...DEFAULT_STATE, panel: t.id }), 'data-panel': t.id }, t.label);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    // A tab opens on its own defaults (another panel's env, α or seed means something else there); the prior carries over.
    location.hash = formatHash({ ...DEFAULT_STATE, prior: parseHash(location.hash).prior, panel: t.id });
  });
  nav.append(a);
}

async function open(state: ViewState): Promise<void> {
  const gen = ++generation;
  dispose?.();
  dispose = null;
  delete document.body.dataset.ready;
  delete document.body.dataset.error;
  const host = freshHost();
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.panel === state.panel);
  const tab = TABS.find((t) => t.id === state.panel)!;
  document.title = `priorlab · ${tab.label}`;
  let current = state;
  const view: ViewController = {
    state: structuredClone(state),
    update(patch, extra) {
      if (gen !== generation) return;
      current = { ...current, ...patch, extra: { ...current.extra, ...extra } };
      history.replaceState(null, '', formatHash(current));
    },
  };
  try {
    const mod = await tab.load();
    if (gen !== generation) return;
    const d = await mod.mount(host, view);
    if (gen !== generation) return d();
    dispose = d;
    document.body.dataset.ready = state.panel;
  } catch (err) {
    if (gen !== generation) return;
    const msg = err instanceof Error ? err.message : String(err);
    document.body.dataset.error = msg;
    host.main.replaceChildren(h('div', { class: 'panel-error' }, `This panel could not be opened: ${msg}`));
  }
}

window.addEventListener('hashchange', () => void open(parseHash(location.hash)));
void open(parseHash(location.hash));
