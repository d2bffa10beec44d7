/** The Tokens and World model tabs until their panels are built: says what they will show. */
import type { PanelModule } from '../panel.js';
import { h } from '../ui.js';

const PLANNED: Record<string, string> = {
  tokens: 'Sampled TokenSeq-v0 sequences with their probabilities under the KL-PPO policy and under the reference.',
  worldmodel: "Observed vs reconstructed vs imagined trajectories from an RSSM run's JSON files.",
};

export const mount: PanelModule['mount'] = async (host, view) => {
  host.main.append(h('p', { class: 'note' }, `Not built yet. Planned: ${PLANNED[view.state.panel] ?? ''}`));
  return () => undefined;
};
