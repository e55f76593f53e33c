#!/usr/bin/env node
// `npm test`: provisions the real peers the tests need, builds, type-checks the tests with the code,
// runs every tier with vitest, and ends with the plain line "N passed, N failed" that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);

/** program → Debian package that provides it. */
const PEERS = {
  socat: 'socat',
  ippeveprinter: 'cups-ipp-utils',
  ipptool: 'cups-ipp-utils',
  'dbus-daemon': 'dbus',
  ip: 'iproute2',
  'systemd-analyze': 'systemd',
  'systemd-cat': 'systemd',
  journalctl: 'systemd',
  unshare: 'util-linux',
  promtool: 'prometheus',
  pdftoppm: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  tesseract: 'tesseract-ocr',
  curl: 'curl',
  'avahi-daemon': 'avahi-daemon',
  'avahi-browse': 'avahi-utils',
  // The IPP server's tests: a private cupsd as the client (lpadmin -m everywhere, lp, lpstat), and
  // the PDF and text filters lp runs.
  cupsd: 'cups-daemon',
  lpadmin: 'cups-client',
  lp: 'cups-client',
  lpstat: 'cups-client',
  '/usr/lib/cups/filter/pdftopdf': 'cups-filters',
  '/usr/lib/cups/filter/texttopdf': 'cups-filters',
  chromium: 'chromium',
};

const has = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

function provision() {
  const missing = Object.entries(PEERS).filter(([program]) => !has(program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(`Missing test peers: ${missing.map(([p, pkg]) => `${p} (Debian package ${pkg})`).join(', ')}.`);
    console.error(`Install them with: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Provisioning test peers: apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  if (update.status !== 0 || install.status !== 0) {
    console.error(`apt-get could not install ${packages.join(' ')}`);
    process.exit(1);
  }
  const still = missing.filter(([program]) => !has(program));
  if (still.length > 0) {
    console.error(`Still missing after apt-get: ${still.map(([p, pkg]) => `${p} (${pkg})`).join(', ')}`);
    process.exit(1);
  }
}

provision();

const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('TypeScript build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// The tests that start the CLI run the bundled one, as npm start and the service do.
const bundle = spawnSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { stdio: 'inherit' });
if (bundle.status !== 0) {
  console.error('bundling the CLI failed (scripts/bundle.mjs)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The build leaves test/ out; tsconfig.test.json (`npm run typecheck`) checks it against the code, so
// a test that drifted from an API fails here by name instead of misbehaving at run time.
const typecheck = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.error('Type-check failed (npm run typecheck: src, drivers, bench and test): fix the errors above; the tests did not run');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const resultsDir = path.join(root, '.test-results');
mkdirSync(resultsDir, { recursive: true });
const resultsFile = path.join(resultsDir, 'vitest.json');
rmSync(resultsFile, { force: true });
const vitest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env } },
);

let passed = 0;
let failed = 0;
if (existsSync(resultsFile)) {
  const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  if (report.numTotalTests === 0) failed += 1;
} else {
  failed = 1;
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
