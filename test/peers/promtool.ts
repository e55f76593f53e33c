import { spawnSync } from 'node:child_process';

/** `promtool check metrics` (Debian package prometheus) on a scrape: exit code and what it said. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  if (spawnSync('sh', ['-c', 'command -v promtool'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('promtool is missing: install the Debian package prometheus');
  }
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** `# TYPE name type` lines of a Prometheus text scrape. */
export function metricTypes(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']));
}
