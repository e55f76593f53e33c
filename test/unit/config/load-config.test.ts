import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfigParts } from '../../../src/config/check-config-parts.js';
import { configParts } from '../../../src/main.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { envName, listEnvLeaves } from '../../../src/config/env-overrides.js';
import { loadConfig, parseConfig } from '../../../src/config/load-config.js';
import { configSchema } from '../../../src/config/schema.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../config/printgate.example.yaml');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs on embedded defaults: port 8631, ./var, info logs, no printers', () => {
    const config = parseConfig({});
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8631 });
    expect(config.dataDir).toBe('./var');
    expect(config.log.level).toBe('info');
    expect(config.printers).toEqual([]);
    expect(config.limits.maxDocumentBytes).toBe(10 * 1024 * 1024);
    expect(config.jobs.inFlightAfterRestart).toBe('reprint');
    expect(config.compat.starAuthStatus).toBe(false);
  });

  it('is frozen all the way down', () => {
    const config = parseConfig({ printers: [{ name: 'A', group: 'g', uri: 'socket://h:9100' }] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.printers[0])).toBe(true);
  });

  it('names an unknown key, at any depth', () => {
    expect(problems(() => parseConfig({ sever: { port: 1 } }))).toEqual(['sever: unknown key']);
    expect(problems(() => parseConfig({ server: { prot: 1 } }))).toEqual(['server.prot: unknown key']);
    expect(problems(() => parseConfig({ printers: [{ name: 'A', group: 'g', uri: 'socket://h', lang: 'x' }] }))).toEqual([
      'printers.0.lang: unknown key',
    ]);
  });

  it('names an invalid value', () => {
    const found = problems(() => parseConfig({ server: { port: 'eighty' } }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^server\.port: /);
    expect(problems(() => parseConfig({ printers: [{ name: 'A', group: 'Store 1', uri: 'socket://h' }] }))[0]).toMatch(/^printers\.0\.group: /);
    // Languages, URI schemes and profiles are checked against what the gateway was built with (serve, config check, doctor alike).
    const built = (printer: Record<string, unknown>) => () => checkConfigParts(parseConfig({ printers: [{ name: 'A', group: 'g', uri: 'socket://h', ...printer }] }), configParts());
    expect(problems(built({ language: 'pcl' }))[0]).toMatch(/^printers\.0\.language: unknown language "pcl"/);
    expect(problems(built({ uri: 'lpd://h/q' }))[0]).toMatch(/^printers\.0\.uri: no transport serves "lpd:"/);
    expect(problems(built({ profile: 'acme-9000' }))[0]).toMatch(/^printers\.0\.profile: unknown profile "acme-9000"/);
  });

  it('refuses two printers with the same name or appId', () => {
    const found = problems(() =>
      parseConfig({
        printers: [
          { name: 'A', group: 'g', uri: 'socket://h', appId: 'x1' },
          { name: 'a', group: 'g', uri: 'socket://h', appId: 'x1' },
        ],
      }),
    );
    expect(found).toEqual(['printers.1.name: duplicates printers.0.name', 'printers.1.appId: duplicates printers.0.appId']);
  });

  it('derives a PRINTGATE_* variable for every leaf from the schema', () => {
    const variables = listEnvLeaves(configSchema).map((leaf) => leaf.variable);
    expect(variables).toContain('PRINTGATE_SERVER_PORT');
    expect(variables).toContain('PRINTGATE_DATA_DIR');
    expect(variables).toContain('PRINTGATE_LIMITS_PER_KEY_BURST');
    expect(variables).toContain('PRINTGATE_COMPAT_STAR_AUTH_STATUS');
    expect(variables).toContain('PRINTGATE_PRINTERS');
    expect(envName(['jobs', 'inFlightAfterRestart'])).toBe('PRINTGATE_JOBS_IN_FLIGHT_AFTER_RESTART');
  });

  it('applies environment overrides over the file, typed', () => {
    const config = parseConfig(
      { server: { port: 1000 } },
      {
        PRINTGATE_SERVER_PORT: '9999',
        PRINTGATE_COMPAT_STAR_AUTH_STATUS: 'true',
        PRINTGATE_CLOUD_PUBLIC_KEYS: 'a,b',
        PRINTGATE_PRINTERS: '[{"name":"P","group":"g","uri":"file:/tmp/x"}]',
      },
    );
    expect(config.server.port).toBe(9999);
    expect(config.compat.starAuthStatus).toBe(true);
    expect(config.cloud.publicKeys).toEqual(['a', 'b']);
    expect(config.printers[0]?.name).toBe('P');
  });

  it('names the variable when an override is not of its type', () => {
    expect(() => parseConfig({}, { PRINTGATE_SERVER_PORT: 'x' })).toThrow(/PRINTGATE_SERVER_PORT must be a number/);
    expect(() => parseConfig({}, { PRINTGATE_COMPAT_STAR_AUTH_STATUS: 'maybe' })).toThrow(/must be true or false/);
  });

  it('refuses a PRINTGATE_* variable that names no key, as it refuses an unknown key in the file', () => {
    expect(problems(() => parseConfig({}, { PRINTGATE_SERVER_PROT: '9999', PRINTGATE_CONFIG: '/x.yaml', HOME: '/root' }))).toEqual([
      expect.stringMatching(/^PRINTGATE_SERVER_PROT: unknown variable/),
    ]);
    expect(parseConfig({}, { PRINTGATE_SERVER_PORT: '9999' }).server.port).toBe(9999);
  });

  it('looks the file up: --config, then PRINTGATE_CONFIG, then the system path, else defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-config-'));
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, 'server:\n  port: 1111\n');
    writeFileSync(b, 'server:\n  port: 2222\n');
    expect(loadConfig({ file: a, env: { PRINTGATE_CONFIG: b } }).config.server.port).toBe(1111);
    expect(loadConfig({ env: { PRINTGATE_CONFIG: b } }).config.server.port).toBe(2222);
    expect(loadConfig({ env: {}, systemPath: a }).config.server.port).toBe(1111);
    const none = loadConfig({ env: {}, systemPath: path.join(dir, 'missing.yaml') });
    expect(none.source).toBeNull();
    expect(none.config.server.port).toBe(8631);
  });

  it('reports a missing file and broken YAML as configuration errors', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-config-'));
    expect(() => loadConfig({ file: path.join(dir, 'nope.yaml'), env: {} })).toThrow(ConfigError);
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'server: [\n');
    expect(() => loadConfig({ file: broken, env: {} })).toThrow(/not valid YAML/);
  });

  it('loads config/printgate.example.yaml, which documents every key of the schema', () => {
    const loaded = loadConfig({ file: EXAMPLE, env: {} });
    expect(loaded.config.printers[0]?.uri).toBe('socket://127.0.0.1:9100');
    const text = readFileSync(EXAMPLE, 'utf8');
    const document = parse(text) as Record<string, unknown>;
    // Every leaf of the schema appears in the example (commented-out cloud keys count by name).
    for (const leaf of listEnvLeaves(configSchema)) {
      const name = leaf.path[leaf.path.length - 1] as string;
      expect(text, `example documents ${leaf.path.join('.')}`).toMatch(new RegExp(`\\b${name}:`));
    }
    expect(document).toHaveProperty('server');
  });
});
