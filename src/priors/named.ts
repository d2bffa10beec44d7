/**
 * Named reference priors per env: what `--prior reference --reference <name>` resolves (the CLI also takes a
 * run folder there: a saved agent as the reference, `src/node/train/agent-io.ts`). The first name of an env
 * is its default. Browser-safe.
 */
import { mountainCarPumping, pendulumSwingUp, pointMassSteering } from '../envs/controllers.js';
import type { Env } from '../envs/env.js';
import type { TokenSeq } from '../envs/tokens.js';
import { twoRouteReference } from '../envs/tworoute.js';
import { LINEAR_GAUSSIAN_REFERENCES } from '../envs/lineargaussian.js';
import type { TabularModel } from '../envs/env.js';
import { controllerReference } from './controller.js';
import type { ReferenceSource } from './reference.js';

/** A reference prior with a name (`--reference <name>`): a one-line summary and how to make its source for an env. */
export interface NamedReference {
  readonly summary: string;
  /** The reference's source for `env`. */
  make(env: Env): ReferenceSource;
}

const named: Record<string, Record<string, NamedReference>> = {
  'Pendulum-v1': {
    'swing-up': {
      summary: 'energy-pumping swing-up + PD catch, torque noise std 1',
      make: () => controllerReference(pendulumSwingUp()),
    },
  },
  'PointMass-v0': {
    steering: {
      summary: 'steers to the far goal below the obstacle, velocity noise std 0.5',
      make: () => controllerReference(pointMassSteering()),
    },
  },
  'MountainCarContinuous-v0': {
    pumping: {
      summary: 'energy pumping: force sign(v), noise std 0.3',
      make: () => controllerReference(mountainCarPumping()),
    },
  },
  'LinearGaussian-v0': Object.fromEntries(
    // State-independent (K = 0): N(k, cov) over the force whatever the observation.
    Object.entries(LINEAR_GAUSSIAN_REFERENCES).map(([name, { k, cov }]) => [
      name,
      {
        summary: `N(${k[0]}, ${Math.sqrt(cov[0][0])}²) over the force, whatever the state`,
        make: () => controllerReference({ std: [Math.sqrt(cov[0][0])], mean: () => [k[0]] }),
      },
    ]),
  ),
  'TwoRoute-v0': {
    guide: {
      summary: 'the cautious walker taking the room route',
      make: (env) => ({ table: twoRouteReference((env as unknown as { model: TabularModel }).model) }),
    },
  },
  'TokenSeq-v0': {
    bigram: {
      summary: "the env's bigram language model",
      make: (env) => ({ table: (env as unknown as TokenSeq).referenceTable }),
    },
  },
};

/** The named references per env id (the built-in ones, and those `registerEnv` added). */
export const NAMED_REFERENCES: Readonly<Record<string, Readonly<Record<string, NamedReference>>>> = named;

/** Adds `envId`'s named references (once per env id; a name already there is refused). */
export function addNamedReferences(envId: string, refs: Readonly<Record<string, NamedReference>>): void {
  const have = (named[envId] ??= {});
  for (const [name, ref] of Object.entries(refs)) {
    if (!/^[a-z][\w-]*$/.test(name))
      throw new RangeError(
        `registerEnv.references: name '${name}'; allowed: lowercase words like 'guide' or 'swing-up'`,
      );
    if (name in have) throw new RangeError(`registerEnv.references: '${envId}' already has a reference '${name}'`);
    have[name] = ref;
  }
}

/** The names of `envId`'s references (first = default), or []. */
export function referenceNames(envId: string): string[] {
  return Object.keys(NAMED_REFERENCES[envId] ?? {});
}
