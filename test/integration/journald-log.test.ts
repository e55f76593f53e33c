import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli-process.js';
import { runUnderJournald } from '../peers/private-journald.js';

const LOGGER = path.join(REPO_ROOT, 'dist/src/log/create-logger.js');
const JOURNAL = path.join(REPO_ROOT, 'dist/src/log/journal-stream.js');

/** What serve does: a logger that prefixes priorities when stdout is the journal. */
const SCRIPT = `
import { createLogger } from '${pathToFileURL(LOGGER).href}';
import { isJournalStream } from '${pathToFileURL(JOURNAL).href}';
const log = createLogger({ level: 'debug', journal: isJournalStream(process.env) });
log.info({ url: 'http://127.0.0.1:8631' }, 'listening');
log.warn({ printerId: 'kitchen' }, 'printer slow');
log.error({ printerId: 'kitchen', reason: 'connection refused' }, 'printer offline');
log.debug({ path: '/metrics' }, 'request');
log.fatal({ code: 'EADDRINUSE' }, 'cannot listen');
`;

describe('log lines in a real journald', () => {
  it('are filed at their priority: journalctl -p err shows the error and the fatal line, and nothing else', () => {
    if (!existsSync(LOGGER)) throw new Error('dist/ is missing: run "npm run build"');
    const [all = '', errors = ''] = runUnderJournald(`exec ${process.execPath} --input-type=module -e "$(cat <<'JS'\n${SCRIPT}\nJS\n)"\n`, [
      ['-o', 'json'],
      ['-p', 'err', '-o', 'cat'],
    ]);
    const entries = all
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { PRIORITY: string; MESSAGE: string });
    expect(entries.map((entry) => [entry.PRIORITY, (JSON.parse(entry.MESSAGE) as { msg: string }).msg])).toEqual([
      ['6', 'listening'],
      ['4', 'printer slow'],
      ['3', 'printer offline'],
      ['7', 'request'],
      ['2', 'cannot listen'],
    ]);
    // The message is the JSON line itself: the prefix is gone.
    expect(entries.every((entry) => entry.MESSAGE.startsWith('{"level":'))).toBe(true);
    expect(errors.trim().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['printer offline', 'cannot listen']);
  });

  it('a command that fails under systemd says so at priority err (its stderr is the journal too), every line of it', () => {
    const cli = path.join(REPO_ROOT, 'dist/src/cli.js');
    const [invalid = ''] = runUnderJournald(`cd /tmp && printf 'server:\\n  prot: 1\\n' > pgb-bad.yaml && exec ${process.execPath} ${cli} config check --config /tmp/pgb-bad.yaml\n`, [['-p', 'err', '-o', 'cat']]);
    expect(invalid.trim().split('\n')).toEqual(['printgate: Invalid configuration:', '  server.prot: unknown key']);
  });

  it('a command that cannot read its configuration says so at priority err', () => {
    const cli = path.join(REPO_ROOT, 'dist/src/cli.js');
    const [errors = ''] = runUnderJournald(`exec ${process.execPath} ${cli} config check --config /nonexistent/printgate.yaml\n`, [['-p', 'err', '-o', 'cat']]);
    expect(errors.trim()).toBe('printgate: Cannot read config file /nonexistent/printgate.yaml: ENOENT: no such file or directory, open \'/nonexistent/printgate.yaml\'');
  });
});
