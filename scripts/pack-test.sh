#!/usr/bin/env bash
# The library as a user gets it: `npm pack` (prepack runs build:lib), the tarball installed into a fresh
# temporary project with only `npm install <tarball>` (dependencies from the registry; nothing of this
# checkout's sources), a TypeScript file importing `priorlab` and `priorlab/node` type-checked (the
# checkout's tsc and @types/node are the only tools borrowed), and every examples/*.ts run to completion
# with short budgets (EXAMPLE_SCALE) by the tsx the package depends on; then a vite build of a page that
# imports priorlab and trains a learner in chromium (scripts/pack-test-browser.ts). Prints sizes and timings.
# Usage: scripts/pack-test.sh [--keep]   (PACK_TEST_SCALE=0.2 sets the examples' budget factor)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/priorlab-pack-XXXXXX")"
[[ "${1:-}" == "--keep" ]] || trap 'rm -rf "$tmp"' EXIT
t0=$SECONDS
step() { echo "pack-test: $1 ($((SECONDS - t0)) s)"; }

cd "$repo"
tarball="$(npm pack --silent --pack-destination "$tmp" | tail -n 1)"
size=$(stat -c %s "$tmp/$tarball")
step "packed $tarball: $((size / 1024)) KiB, $(tar -tzf "$tmp/$tarball" | wc -l) files"

mkdir "$tmp/app"
cd "$tmp/app"
echo '{ "name": "priorlab-user", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "$tmp/$tarball" > install.log 2>&1 || { cat install.log; exit 1; }
step "installed into a fresh project: $(du -sh node_modules | cut -f1) node_modules"
test -f node_modules/priorlab/dist/nn/engine/engine.wasm
test -f node_modules/priorlab/dist/nn/kernels.wasm

# Type-check a user's file against the installed declarations.
cat > tsconfig.json <<JSON
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "noEmit": true, "skipLibCheck": true, "lib": ["ES2023", "DOM"], "types": ["node"],
    "typeRoots": ["$repo/node_modules/@types"]
  },
  "include": ["*.ts", "examples/*.ts"]
}
JSON
cat > user.ts <<'TS'
import { createLearner, make, makeObjective, masked, mixture, registerEnv, RngStreams, softValueIteration, tempered, uniform, type Learner, type Objective } from 'priorlab';
import { initNodeBackend, runTrial, saveAgent, type Experiment } from 'priorlab/node';
await initNodeBackend();
const env = make('CliffWalking-v1');
const objective: Objective = makeObjective({ prior: 'reference', alpha: 0.2 }, env, {
  reference: mixture([tempered(uniform(), 2), masked(uniform(), (s, a) => s !== 36 || a !== 1)]),
});
const learner: Learner = createLearner('sac-discrete', { makeEnv: () => make('CliffWalking-v1'), objective, config: { totalSteps: 100 }, streams: new RngStreams(1) });
const exp: Experiment | null = null;
void [registerEnv, softValueIteration, runTrial, saveAgent, exp, learner];
TS
mkdir examples
cp "$repo"/examples/*.ts examples/
"$repo/node_modules/.bin/tsc" -p tsconfig.json
step "type-checked user.ts and examples/ against the installed package"

for ex in examples/*.ts; do
  [[ "$ex" == examples/budget.ts ]] && continue
  s=$SECONDS
  TMPDIR="$tmp" EXAMPLE_SCALE="${PACK_TEST_SCALE:-0.2}" ./node_modules/.bin/tsx "$ex" > "$ex.log" 2>&1 || { cat "$ex.log"; exit 1; }
  step "ran $ex in $((SECONDS - s)) s: $(tail -n 1 "$ex.log" | cut -c1-150)"
done
# The browser: a vite build of a page importing priorlab, trained in chromium (PACK_TEST_BROWSER=0 skips it).
if [[ "${PACK_TEST_BROWSER:-1}" != 0 ]]; then
  "$repo/node_modules/.bin/tsx" "$repo/scripts/pack-test-browser.ts" "$tmp/app"
  step "browser page built by vite and trained in chromium"
fi
step "done"
