/** The viewer's palette is the one palette of the project (`src/core/palette.ts`, shared with the CLI's SVGs). */
export * from '../core/palette.js';
