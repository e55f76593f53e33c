import { describe, expect, it } from 'vitest';
import { runCli, writeConfig } from '../helpers/cli-process.js';
import { startTcpSink } from '../peers/tcp-sink.js';

describe('printers probe and doctor', () => {
  it('printers probe reports a listening raw printer as reachable and a dead port with the reason', async () => {
    const sink = await startTcpSink();
    try {
      const up = runCli(['printers', 'probe', sink.uri, '--json']);
      expect(up.status, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ uri: sink.uri, reachable: true, error: null });
    } finally {
      await sink.close();
    }
    const down = runCli(['printers', 'probe', sink.uri]);
    expect(down.status).toBe(1);
    expect(down.stdout).toContain('NOT reachable (PRINTER_UNREACHABLE)');
    expect(down.stdout).toContain('connection refused');
    const unknown = runCli(['printers', 'probe', 'gopher://x']);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toContain('UNSUPPORTED_URI');
  });

  it('doctor passes on a healthy box and names the failing printer with a fix', async () => {
    const sink = await startTcpSink();
    const dead = await startTcpSink();
    await dead.close();
    try {
      const { file } = writeConfig({
        server: { host: '127.0.0.1', port: 0 },
        printers: [
          { name: 'Up', group: 'g', uri: sink.uri, language: 'raw' },
          { name: 'Down', group: 'g', uri: dead.uri, language: 'raw' },
        ],
      });
      const result = runCli(['doctor', '--config', file, '--json']);
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; checks: { check: string; ok: boolean; fix?: string }[] };
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.check === 'printer Up')?.ok).toBe(true);
      const down = report.checks.find((c) => c.check === 'printer Down');
      expect(down?.ok).toBe(false);
      expect(down?.fix).toBeTruthy();
      expect(report.checks.find((c) => c.check === 'data directory')?.ok).toBe(true);

      const healthy = writeConfig({ server: { host: '127.0.0.1', port: 0 }, printers: [{ name: 'Up', group: 'g', uri: sink.uri, language: 'raw' }] });
      const ok = runCli(['doctor', '--config', healthy.file]);
      expect(ok.status, ok.stdout).toBe(0);
      expect(ok.stdout).toContain('All checks passed.');
    } finally {
      await sink.close();
    }
  });
});
