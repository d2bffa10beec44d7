/**
 * The Runs panel's sidebar: the "what to notice" presets (added once the runs are listed, since they name
 * a run), the list of runs with a tick box each, and the folder input. A change of the ticked runs calls `show()`.
 */
import { pickedRuns } from './data.js';
import { h, section, whatToNotice } from '../ui.js';
import type { RunsPanelState } from './state.js';

const PRIORS_EXPERIMENT = 'gridworld-priors';

export class RunsControls {
  private readonly noticeBox = h('div');
  private readonly listBox = h('div', { 'data-testid': 'runs-list' });

  constructor(
    sidebar: HTMLElement,
    private readonly state: RunsPanelState,
    private readonly show: () => Promise<void>,
  ) {
    sidebar.append(this.noticeBox);
    const list = section(
      sidebar,
      'Recorded runs',
      'Run folders (with a config.json) under runs/, served read-only by the dev server. Tick one to replay it, several to compare their curves.',
    );
    list.append(this.listBox);
    const pick = section(
      sidebar,
      'Open a folder',
      'Or pick a run folder from disk (config.json, metrics.jsonl, *episode*.json, *.svg), or a folder of runs. Files are only parsed as data.',
    );
    const input = h('input', { type: 'file', multiple: '', 'data-testid': 'runs-file' });
    input.setAttribute('webkitdirectory', '');
    pick.append(input);
    input.addEventListener('change', () => {
      state.addPicked(pickedRuns(input.files ?? []));
      this.drawList();
      void show();
    });
  }

  drawList(): void {
    const { listBox, state } = this;
    listBox.replaceChildren();
    const names = state.names();
    if (names.length === 0)
      listBox.append(
        h('p', { class: 'note' }, 'No run folders found. Run an experiment (npm run exp …) or open a folder below.'),
      );
    for (const name of names) {
      const row = h('label', { class: 'run-row' });
      row.style.cssText = 'display:flex;gap:6px;align-items:center;font-size:13px;margin:4px 0;word-break:break-all';
      const cb = h('input', { type: 'checkbox', 'data-run': name });
      cb.checked = state.picked.has(name);
      cb.addEventListener('change', () => {
        state.tick(name, cb.checked);
        void this.show();
      });
      row.append(cb, h('span', {}, name));
      listBox.append(row);
    }
  }

  listingFailed(message: string): void {
    this.listBox.append(h('p', { class: 'note' }, `No /runs/ listing (${message}); open a folder instead.`));
  }

  /** The presets open the newest gridworld-priors run; `scrollTo(group)` brings a chart group into view. */
  addPresets(scrollTo: (group: string) => void): void {
    const newestPriors = this.state.newestOf(PRIORS_EXPERIMENT);
    const only = (name: string, group?: string) => async () => {
      this.state.only(name);
      this.drawList();
      await this.show();
      if (group) scrollTo(group);
    };
    whatToNotice(
      this.noticeBox,
      'runs',
      'A run of several parts is shown part by part. One click opens:',
      newestPriors
        ? 'The newest run opens by itself; the presets open a gridworld-priors run.'
        : 'No gridworld-priors run yet: `npm run exp -- gridworld-priors` writes one (about a minute).',
      newestPriors
        ? [
            {
              id: 'parts',
              label: 'one map per prior × learner',
              note: "Each map is one prior × learner: with no prior every learner walks the ledge, with the reference prior the guide's room route.",
              apply: only(newestPriors),
            },
            {
              id: 'kl',
              label: 'KL to the prior, overlaid',
              note: 'KL to the prior per part, from each part’s own step 0: the reference parts stay closest to their prior; with no prior (α = 0) nothing holds the KL to the uniform prior down.',
              apply: only(newestPriors, 'KL to prior / reference'),
            },
          ]
        : [],
    );
  }
}
