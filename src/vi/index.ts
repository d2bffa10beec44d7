/** The lesson's variational-inference math: Gaussian KL, the linear-Gaussian model, ELBO (analytic and Monte Carlo), Jensen on samples, its gradient two ways, reparameterized fitting. */
export * from './gaussian.js';
export * from './linearGaussian.js';
export * from './lessonExamples.js';
export * from './reparam.js';
export * from './gradients.js';
export * from './jensen.js';
