import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli, writeConfig } from '../helpers/cli-process.js';

const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the printgate command: version, errors, exit codes, pipes', () => {
  it('--version and version print the package version, --json as JSON', () => {
    expect(runCli(['--version'])).toEqual({ status: 0, stdout: `printgate ${version}\n`, stderr: '' });
    expect(runCli(['version'])).toEqual({ status: 0, stdout: `printgate ${version}\n`, stderr: '' });
    expect(runCli(['version', '--json'])).toEqual({ status: 0, stdout: `${JSON.stringify({ version })}\n`, stderr: '' });
  });

  it('with --json a failure is one JSON line on stderr, stdout empty, with the exit code of the table', () => {
    const usage = runCli(['frobnicate', '--json']);
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
    expect(JSON.parse(usage.stderr)).toEqual({ error: { code: 'USAGE', message: 'unknown command "frobnicate"' } });
    const badOption = runCli(['keys', 'list', '--colour', '--json']);
    expect(badOption.status).toBe(2);
    expect((JSON.parse(badOption.stderr) as { error: { code: string } }).error.code).toBe('USAGE');
    const config = writeConfig({ server: { prot: 1 } });
    const bad = runCli(['config', 'check', '--config', config.file, '--json']);
    expect(bad.status).toBe(78);
    expect(JSON.parse(bad.stderr)).toEqual({ error: { code: 'CONFIG_INVALID', message: expect.stringContaining('server.prot: unknown key') } });
    const { file } = writeConfig({});
    const missing = runCli(['keys', 'revoke', 'key_0000000000000000', '--config', file, '--json']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('without --json a failure is one line on stderr (usage errors add the usage)', () => {
    const { file } = writeConfig({});
    const missing = runCli(['keys', 'revoke', 'key_0000000000000000', '--config', file]);
    expect(missing).toEqual({ status: 1, stdout: '', stderr: 'printgate: no key with id key_0000000000000000 (NOT_FOUND)\n' });
    const usage = runCli(['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^printgate: unknown command "frobnicate"\n\nusage: printgate <command>/);
  });

  it('piped into a reader that stops early (head), it ends quietly: no EPIPE stack trace', () => {
    const { file } = writeConfig({});
    for (let i = 0; i < 3; i += 1) expect(runCli(['keys', 'create', '--config', file, '--name', `k${i}`, '--permissions', 'PrintToDevice']).status).toBe(0);
    // `exec true` closes the pipe before node has started: every write is EPIPE, as after head has read its lines.
    const bash = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" keys list --json --config "${file}" | (exec true); echo "status=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PRINTGATE_CONFIG: '' },
    });
    expect(bash.stderr).toBe('');
    expect(bash.stdout).toBe('status=0\n');
  });
});
