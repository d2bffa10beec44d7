/** The contract between the app shell and a panel module (`panels/*.ts`). */
import type { ViewState } from './state.js';
import type { PanelHost } from './ui.js';

export interface ViewController {
  /** The state the panel was opened with (a copy; the panel reports changes through `update`). */
  readonly state: ViewState;
  /** Records a change in the URL hash (no reload, no remount). `extra` keys are merged. */
  update(patch: Partial<Omit<ViewState, 'extra' | 'panel'>>, extra?: Record<string, string>): void;
}

export interface PanelModule {
  /** Builds the panel into `host`; resolves to a disposer that frees canvases, timers and listeners. */
  mount(host: PanelHost, view: ViewController): Promise<() => void>;
}
