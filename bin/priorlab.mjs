#!/usr/bin/env node
// The `priorlab` command: registers tsx's ESM loader, then runs the TypeScript CLI in this process.
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`priorlab … --help | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../experiments/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is over: a client library's leftover timer (ioredis keeps one for 2 s after a failed connection)
// must not hold the exit back.
setTimeout(() => process.exit(code), 300).unref();
