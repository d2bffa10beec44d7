/** The environments: contract, registry, wrappers, vector env, checker, and every built-in env. */
export * from './env.js';
export * from './registry.js';
export * from './wrappers.js';
export * from './vector.js';
export * from './checker.js';
export * from './gridworld.js';
export * from './cliffwalking.js';
export * from './frozenlake.js';
export * from './tworoute.js';
export * from './pendulum.js';
export * from './mountaincar.js';
export * from './pointmass.js';
export * from './lineargaussian.js';
export * from './controllers.js';
