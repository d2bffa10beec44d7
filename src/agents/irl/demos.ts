/**
 * Demonstrations for inverse RL: trajectories `{ states, actions }` with `states.length = actions.length + 1`
 * (the state reached by the last action included). Sampled from a policy table on the exact model with a
 * seeded stream, or read from a JSON file `{ "demonstrations": [{ "states": [...], "actions": [...] }, ...] }`
 * (zod-checked, then checked against the model). Every check names the demonstration, the step, the value
 * and what is allowed.
 */
import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { TabularModel } from '../../envs/env.js';

export interface Demonstration {
  /** s_0 … s_T: every state acted in, then the state the last action led to. */
  states: number[];
  /** a_0 … a_{T−1}. */
  actions: number[];
}

export interface SampleOptions {
  count: number;
  rng: Rng;
  /** A trajectory still running after this many actions is cut there (a time limit). */
  maxSteps: number;
}

/** `count` trajectories of π (nS×nA row-major) on the model: starts, actions and outcomes from `rng`. */
export function sampleDemonstrations(model: TabularModel, pi: Float64Array, opts: SampleOptions): Demonstration[] {
  const { nActions: nA } = model;
  const { count, rng, maxSteps } = opts;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be an integer ≥ 1, got ${count}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new RangeError(`maxSteps must be an integer ≥ 1, got ${maxSteps}`);
  if (pi.length !== model.nStates * nA)
    throw new RangeError(`pi must have nS·nA = ${model.nStates * nA} entries, got ${pi.length}`);
  const demos: Demonstration[] = [];
  for (let i = 0; i < count; i++) {
    let s = rng.categorical(model.initialDistribution);
    const states = [s];
    const actions: number[] = [];
    while (actions.length < maxSteps && !model.terminalStates.has(s)) {
      const a = rng.categorical(pi.subarray(s * nA, s * nA + nA));
      const outcomes = model.P[s][a];
      const t = outcomes[outcomes.length === 1 ? 0 : rng.categorical(outcomes.map((o) => o.prob))];
      actions.push(a);
      states.push(t.next);
      s = t.next;
      if (t.terminated) break;
    }
    demos.push({ states, actions });
  }
  return demos;
}

/**
 * Throws unless every demonstration fits the model: at least one demonstration, each with at least one
 * action; states in [0, nS) and actions in [0, nA) (integers); no action taken in a terminal state or after
 * a terminating transition; each s_{t+1} possible after (s_t, a_t); and, given a prior, p(a_t|s_t) > 0
 * (a soft-optimal policy never takes an action its prior excludes, so the likelihood would be 0).
 */
export function checkDemonstrations(model: TabularModel, demos: readonly Demonstration[], prior?: Float64Array): void {
  const { nStates: nS, nActions: nA } = model;
  if (demos.length === 0) throw new RangeError('demonstrations: the set is empty; need at least one trajectory');
  demos.forEach((d, i) => {
    const where = `demonstrations[${i}]`;
    if (d.actions.length === 0)
      throw new RangeError(`${where}: has no actions; a trajectory needs at least one (state, action) pair`);
    if (d.states.length !== d.actions.length + 1) {
      throw new RangeError(
        `${where}: has ${d.states.length} states and ${d.actions.length} actions; states must be one longer (the state reached by the last action)`,
      );
    }
    d.states.forEach((s, t) => {
      if (!Number.isInteger(s) || s < 0 || s >= nS)
        throw new RangeError(
          `${where}.states[${t}] = ${s} is outside the state space; allowed: integers 0 … ${nS - 1}`,
        );
    });
    d.actions.forEach((a, t) => {
      if (!Number.isInteger(a) || a < 0 || a >= nA)
        throw new RangeError(
          `${where}.actions[${t}] = ${a} is outside the action space; allowed: integers 0 … ${nA - 1}`,
        );
      const s = d.states[t];
      if (model.terminalStates.has(s))
        throw new RangeError(`${where}.actions[${t}]: state ${s} is terminal; no action can be taken in it`);
      const hits = model.P[s][a].filter((o) => o.next === d.states[t + 1] && o.prob > 0);
      if (hits.length === 0)
        throw new RangeError(
          `${where}: step ${t} goes ${s} → ${d.states[t + 1]} with action ${a}, which the model gives probability 0`,
        );
      if (t < d.actions.length - 1 && hits.every((o) => o.terminated)) {
        throw new RangeError(
          `${where}: the episode terminated at step ${t} (entering ${d.states[t + 1]}) but the trajectory goes on`,
        );
      }
      if (prior && !(prior[s * nA + a] > 0)) {
        throw new RangeError(
          `${where}.actions[${t}] = ${a} in state ${s} has prior probability 0: no soft-optimal policy under this prior takes it`,
        );
      }
    });
  });
}

const DemonstrationSchema = z.object({
  states: z.array(z.number().int().min(0)).describe('s_0 … s_T'),
  actions: z.array(z.number().int().min(0)).describe('a_0 … a_{T−1}'),
});

/** The JSON file format of a demonstration set. */
export const DemonstrationFileSchema = z.object({
  /** The env id the trajectories were recorded on (informative). */
  env: z.string().optional(),
  demonstrations: z.array(DemonstrationSchema),
});

/** Parses and checks a demonstration file's text against the model (and the prior's support, if given). */
export function parseDemonstrations(text: string, model: TabularModel, prior?: Float64Array): Demonstration[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`demonstration file: not valid JSON (${(e as Error).message})`);
  }
  const res = DemonstrationFileSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new RangeError(
      `demonstration file: ${path.replace(/^\./, '') || '(root)'}: ${issue.message}; expected { "demonstrations": [{ "states": [int ≥ 0], "actions": [int ≥ 0] }] }`,
    );
  }
  const demos = res.data.demonstrations;
  checkDemonstrations(model, demos, prior);
  return demos;
}

/** The JSON text of a demonstration set, in the file format `parseDemonstrations` reads. */
export function demonstrationsJson(demos: readonly Demonstration[], env?: string): string {
  return `${JSON.stringify({ ...(env ? { env } : {}), demonstrations: demos })}\n`;
}
