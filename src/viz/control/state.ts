/**
 * The Continuous control tab's state for its trained-agents view (no DOM): env, rollouts per prior, action
 * mode, seed and the chosen state; the agents (shipped with the viewer, or loaded from a run folder's
 * files), one per env × prior, loaded once; and the columns the last render rolled out.
 */
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import { extraNumber, type ViewState } from '../state.js';
import { AGENT_ENVS, readSavedAgent, rollouts, ViewerAgent, type AgentEnv, type Rollout } from './agents.js';
import type { ViewerAgentEntry } from './shipped.js';

const INDEX = import.meta.glob<{ agents: ViewerAgentEntry[] }>('../agents/index.json', {
  eager: true,
  import: 'default',
});
const MANIFESTS = import.meta.glob<string>('../agents/*/*/agent.json', { query: '?raw', import: 'default' });
const BINS = import.meta.glob<string>('../agents/*/*/agent.bin', { query: '?url', import: 'default' });
const SHIPPED: ViewerAgentEntry[] = Object.values(INDEX)[0]?.agents ?? [];

async function shippedAgent(env: string, prior: string): Promise<ViewerAgent> {
  const entry = SHIPPED.find((e) => e.env === env && e.prior === prior);
  const key = `../agents/${entry?.path}/agent`;
  if (!entry || !MANIFESTS[`${key}.json`] || !BINS[`${key}.bin`])
    throw new Error(`no shipped agent for ${env} under ${prior} (run: npm run viewer-agents)`);
  const [text, url] = await Promise.all([MANIFESTS[`${key}.json`](), BINS[`${key}.bin`]()]);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const { manifest, weights } = await readSavedAgent(
    text,
    new Uint8Array(await res.arrayBuffer()),
    `agents/${entry.path}`,
  );
  return new ViewerAgent(manifest, weights, 'shipped');
}

/** One prior's column: its agent, its rollouts, and the shipped agent's entry (seed, steps, command). */
export interface Column {
  agent: ViewerAgent;
  runs: Rollout[];
  entry: ViewerAgentEntry | undefined;
}

/** The chosen state: rollout `index` of prior `prior`, step `t`. */
export interface ChosenState {
  prior: PriorName;
  index: number;
  t: number;
}

export class ControlPanelState {
  env: AgentEnv;
  n: number;
  deterministic: boolean;
  seed: number;
  pick: ChosenState;
  columns: Column[] = [];
  // Promises, so two renders in flight share one load (and nothing is built twice, or left undisposed).
  private readonly agents = new Map<string, Promise<ViewerAgent>>();

  /** From the URL hash: an env without agents opens MountainCar; 2 to 32 rollouts; the state at step 40. */
  constructor(st: ViewState) {
    this.env = (AGENT_ENVS as readonly string[]).includes(st.env) ? (st.env as AgentEnv) : 'MountainCarContinuous-v0';
    this.n = Math.round(Math.min(32, Math.max(2, extraNumber(st, 'n', 12))));
    this.deterministic = st.extra.actions === 'mean';
    this.seed = st.seed;
    this.pick = { prior: 'reference', index: 0, t: Math.max(0, extraNumber(st, 't', 40)) };
  }

  /** Another env: the chosen state goes back to the start of the first rollout. */
  setEnv(env: AgentEnv): void {
    this.env = env;
    this.pick = { ...this.pick, index: 0, t: 0 };
  }

  /** A preset's view: env, action mode, and step `t` of the first reference rollout. */
  applyPreset(env: AgentEnv, mean: boolean, t: number): void {
    this.env = env;
    this.deterministic = mean;
    this.pick = { prior: 'reference', index: 0, t };
  }

  /** A rollout picked in a fan: the step stays, within that rollout. */
  pickRollout(prior: PriorName, runs: readonly Rollout[], index: number): void {
    this.pick = { prior, index, t: Math.min(this.pick.t, runs[index].obs.length - 1) };
  }

  /** Clamps the chosen state to the columns shown; its column, rollout index and rollout, or null before any. */
  chosen(): { column: Column; index: number; run: Rollout } | null {
    const column = this.columns.find((c) => c.agent.prior === this.pick.prior) ?? this.columns[0];
    if (!column) return null;
    const index = Math.min(this.pick.index, column.runs.length - 1);
    const run = column.runs[index];
    this.pick = { ...this.pick, index, t: Math.min(this.pick.t, run.obs.length - 1) };
    return { column, index, run };
  }

  /** Every prior's agent on the current env rolled out; null when `isCurrent()` turned false meanwhile. */
  async rollColumns(signal: AbortSignal, isCurrent: () => boolean): Promise<Column[] | null> {
    const next: Column[] = [];
    for (const prior of PRIOR_NAMES) {
      const agent = await this.agentFor(this.env, prior);
      const runs = await rollouts(agent, this.n, this.seed, this.deterministic, signal);
      if (!isCurrent()) return null;
      next.push({
        agent,
        runs,
        entry: agent.source === 'shipped' ? SHIPPED.find((e) => e.env === this.env && e.prior === prior) : undefined,
      });
    }
    return next;
  }

  /** A run folder's agent.json and agent.bin: the agent replaces its prior's on its env, which is shown. */
  async loadAgent(files: readonly File[]): Promise<ViewerAgent> {
    const json = files.find((f) => f.name.endsWith('.json'));
    const bin = files.find((f) => f.name.endsWith('.bin'));
    if (!json || !bin)
      throw new Error(
        `chose ${files.map((f) => f.name).join(', ') || 'nothing'}; allowed: the two files agent.json and agent.bin of one run folder`,
      );
    const { manifest, weights } = await readSavedAgent(
      await json.text(),
      new Uint8Array(await bin.arrayBuffer()),
      'chosen files',
    );
    const agent = new ViewerAgent(manifest, weights, `${json.name} + ${bin.name}`);
    const k = `${agent.env}/${agent.prior}`;
    void this.agents.get(k)?.then(
      (old) => old.dispose(),
      () => {},
    );
    this.agents.set(k, Promise.resolve(agent));
    this.env = agent.env;
    return agent;
  }

  /** What the URL hash records. */
  hashPatch(): { state: Pick<ViewState, 'env' | 'seed'>; extra: Record<'n' | 'actions' | 't', string> } {
    return {
      state: { env: this.env, seed: this.seed },
      extra: { n: String(this.n), actions: this.deterministic ? 'mean' : 'sampled', t: String(this.pick.t) },
    };
  }

  dispose(): void {
    for (const a of this.agents.values())
      void a.then(
        (agent) => agent.dispose(),
        () => {},
      );
  }

  private agentFor(env: AgentEnv, prior: PriorName): Promise<ViewerAgent> {
    const k = `${env}/${prior}`;
    let a = this.agents.get(k);
    if (!a) this.agents.set(k, (a = shippedAgent(env, prior)));
    return a;
  }
}
