import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { checkConfigParts, type ConfigParts } from './check-config-parts.js';
import { ConfigError } from './config-error.js';
import { applyEnvOverrides } from './env-overrides.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/printgate/printgate.yaml';

export interface LoadConfigOptions {
  /** --config FILE */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** For tests: where the system-wide file is looked up. */
  systemPath?: string;
  /** What the gateway was built with: languages, URI schemes and profiles the config may name. */
  parts?: ConfigParts;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  /** The file read, or null when running on embedded defaults. */
  source: string | null;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return issue.keys.map((key) => `${base}${key}: unknown key`).join('\n  ');
  }
  return `${where}: ${issue.message}`;
}

/** Validates an already-parsed document; throws ConfigError naming each bad key. */
export function parseConfig(document: unknown, env: NodeJS.ProcessEnv = {}): Readonly<Config> {
  if (document !== null && (typeof document !== 'object' || Array.isArray(document))) {
    throw new ConfigError('The configuration must be a YAML mapping');
  }
  const withEnv = applyEnvOverrides(configSchema, (document ?? {}) as Record<string, unknown>, env);
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    throw new ConfigError('Invalid configuration', result.error.issues.map(describeIssue));
  }
  return deepFreeze(result.data);
}

function pickSource(options: LoadConfigOptions, env: NodeJS.ProcessEnv): string | null {
  if (options.file) return options.file;
  if (env.PRINTGATE_CONFIG) return env.PRINTGATE_CONFIG;
  const systemPath = options.systemPath ?? DEFAULT_CONFIG_PATH;
  return existsSync(systemPath) ? systemPath : null;
}

/** Looks the file up (--config, PRINTGATE_CONFIG, /etc/printgate/printgate.yaml), applies env, validates, freezes. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const source = pickSource(options, env);
  let document: unknown = {};
  if (source !== null) {
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new ConfigError(`Cannot read config file ${source}: ${(error as Error).message}`);
    }
    try {
      document = parseYaml(text) ?? {};
    } catch (error) {
      throw new ConfigError(`Config file ${source} is not valid YAML: ${(error as Error).message}`);
    }
  }
  const config = parseConfig(document, env);
  if (options.parts) checkConfigParts(config, options.parts);
  return { config, source: source === null ? null : path.resolve(source) };
}
