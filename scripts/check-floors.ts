/**
 * `npm run lint`'s import check: reads every TypeScript file of `src/` and `experiments/` and prints one line
 * per import that runs up a floor or brings a Node-only module into browser code (rules: scripts/floors.ts).
 * Exits 1 when there is any.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { floorViolations } from './floors.js';

const root = join(import.meta.dirname, '..');
const files = new Map<string, string>();
for (const folder of ['src', 'experiments']) {
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const abs = join(entry.parentPath, entry.name);
    files.set(relative(root, abs).split('\\').join('/'), readFileSync(abs, 'utf8'));
  }
}
const violations = floorViolations(files);
for (const line of violations) console.error(line);
console.log(`check-floors: ${files.size} files, ${violations.length} violation${violations.length === 1 ? '' : 's'}`);
process.exitCode = violations.length === 0 ? 0 : 1;
