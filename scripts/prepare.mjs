#!/usr/bin/env node
// npm's "prepare" (run by npm ci / npm install in the checkout): builds dist/ with TypeScript,
// then bundles the CLI (scripts/bundle.mjs).
// Without TypeScript (npm ci --omit=dev), a dist/ built before is used as it is; with no dist/
// either, say what to do instead of npm's bare "tsc: not found".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
if (existsSync(tsc)) {
  const build = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  // The CLI as one file: serve starts from it in a fraction of the time (scripts/bundle.mjs).
  const bundle = spawnSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { stdio: 'inherit' });
  process.exit(bundle.status ?? 1);
}
if (existsSync(path.join(root, 'dist/src/cli.js'))) {
  console.log('prepare: TypeScript is not installed (--omit=dev); using the dist/ built before');
  process.exit(0);
}
console.error(
  'prepare: no TypeScript to build dist/ (npm ci --omit=dev leaves it out). Run plain "npm ci" to build,\n' +
    'or install as a service with systemd/install.sh, which builds and then keeps production dependencies only.',
);
process.exit(1);
