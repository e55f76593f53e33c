import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of a file, resolved to repo-relative .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (match) => match[1] ?? match[2] ?? '',
  );
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(ROOT, path.resolve(path.dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'drivers'))];
const graph = new Map(files.map((file) => [path.relative(ROOT, file), importsOf(file)]));

describe('architecture', () => {
  it('drivers import nothing from src/ but src/driver-api', () => {
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('drivers/'))
      .flatMap(([file, deps]) => deps.filter((dep) => dep.startsWith('src/') && !dep.startsWith('src/driver-api/')).map((dep) => `${file} → ${dep}`));
    expect(offenders).toEqual([]);
  });

  // The composition roots: the gateway's, and the delivery thread's (a thread builds its own parts).
  it('only src/main.ts and src/delivery-main.ts import drivers/', () => {
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('src/') && file !== 'src/main.ts' && file !== 'src/delivery-main.ts')
      .flatMap(([file, deps]) => deps.filter((dep) => dep.startsWith('drivers/')).map((dep) => `${file} → ${dep}`));
    expect(offenders).toEqual([]);
  });

  it('keeps the use cases below HTTP: jobs, keys, printers, languages, db and config never import http, cli or main', () => {
    const below = ['src/jobs/', 'src/keys/', 'src/printers/', 'src/languages/', 'src/db/', 'src/config/', 'src/errors/', 'src/driver-api/'];
    const above = ['src/http/', 'src/cli', 'src/main.ts'];
    const offenders = [...graph]
      .filter(([file]) => below.some((dir) => file.startsWith(dir)))
      .flatMap(([file, deps]) => deps.filter((dep) => above.some((top) => dep.startsWith(top))).map((dep) => `${file} → ${dep}`));
    expect(offenders).toEqual([]);
  });

  it('keeps driver-api a leaf: it imports only the error catalogue', () => {
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('src/driver-api/'))
      .flatMap(([file, deps]) => deps.filter((dep) => !dep.startsWith('src/driver-api/') && !dep.startsWith('src/errors/')).map((dep) => `${file} → ${dep}`));
    expect(offenders).toEqual([]);
  });

  it('reads process.env only in config loading and the command line', () => {
    const offenders = files
      .map((file) => path.relative(ROOT, file))
      .filter((file) => !file.startsWith('src/config/') && file !== 'src/cli.ts' && !file.startsWith('src/cli/'))
      .filter((file) => /process\.env\b/.test(readFileSync(path.join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(offenders).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...stack.slice(stack.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      stack.push(file);
      for (const dep of graph.get(file) ?? []) if (graph.has(dep)) visit(dep);
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });

  it('keeps files small enough to read (under 500 lines)', () => {
    const large = files
      .map((file) => [path.relative(ROOT, file), readFileSync(file, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 500)
      .map(([file, lines]) => `${file}: ${lines} lines`);
    expect(large).toEqual([]);
  });
});
