/** Placeholder until the panel lands. */
import type { PanelModule } from '../panel.js';
import { h } from '../ui.js';

export const mount: PanelModule['mount'] = async (host) => {
  host.main.append(h('p', { class: 'note' }, 'Coming soon.'));
  return () => undefined;
};
