#!/usr/bin/env node
// The `fkapi` command (`npx fkapi <command>`, `npm run cli -- <command>`): the compiled CLI in
// dist/cli/, compiled first only when the sources changed since the last build.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

if (!buildIfStale()) process.exit(1);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
createRequire(import.meta.url)(path.join(root, 'dist/cli/main.js'));
