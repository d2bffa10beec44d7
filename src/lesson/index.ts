/** Lesson mode's browser-safe core: the exercise schema, the quantity registry and the grader (viewer and CLI share it). */
export * from './quantities.js';
export * from './schema.js';
export * from './grader.js';
