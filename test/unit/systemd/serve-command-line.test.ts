import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVE_ENVIRONMENT, SERVE_NODE_FLAGS } from '../../../src/memory-limits.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('serve is started the same way everywhere (src/memory-limits.ts)', () => {
  it('npm start passes the node flags', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`node ${SERVE_NODE_FLAGS.join(' ')} dist/src/cli.js serve`);
  });

  it('the systemd unit passes the node flags and sets the environment', () => {
    const unit = readFileSync(path.join(ROOT, 'systemd/printgate.service'), 'utf8');
    expect(unit).toMatch(new RegExp(`^ExecStart=/usr/bin/node ${SERVE_NODE_FLAGS.join(' ')} /opt/printgate/dist/src/cli\\.js serve `, 'm'));
    const environment = [...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]);
    for (const [name, value] of Object.entries(SERVE_ENVIRONMENT)) expect(environment).toContainEqual([name, value]);
  });

  it('this node accepts the flags (a V8 flag it does not know would stop serve from starting)', () => {
    const run = spawnSync(process.execPath, [...SERVE_NODE_FLAGS, '-e', "process.stdout.write(String(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size))"], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // Two 2 MiB semi-spaces at most (V8's default lets them grow to 16 MiB each).
    expect(Number(run.stdout)).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
