#!/usr/bin/env node
// The `priorlab` command: registers tsx's ESM loader, then runs the TypeScript CLI in this process.
import { register } from 'tsx/esm/api';

register();
await import('../experiments/cli.ts');
