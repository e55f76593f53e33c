import { z } from 'zod';
import { ConfigError } from './config-error.js';

/**
 * Derives PRINTGATE_* environment overrides from the zod schema: every leaf path maps to a
 * variable (`server.port` → `PRINTGATE_SERVER_PORT`, `limits.perKey.burst` →
 * `PRINTGATE_LIMITS_PER_KEY_BURST`). Arrays take JSON (`PRINTGATE_PRINTERS='[{...}]'`) or, for
 * arrays of strings, a comma-separated list.
 */

export interface EnvLeaf {
  path: string[];
  variable: string;
  kind: 'string' | 'number' | 'boolean' | 'array' | 'other';
}

type AnySchema = z.core.$ZodType;

function defOf(schema: AnySchema): { type: string; [k: string]: unknown } {
  return schema._zod.def as unknown as { type: string; [k: string]: unknown };
}

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable') {
      current = def.innerType as AnySchema;
    } else {
      return current;
    }
  }
}

export function envName(path: readonly string[]): string {
  return (
    'PRINTGATE_' +
    path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
  );
}

export function listEnvLeaves(schema: AnySchema, path: string[] = []): EnvLeaf[] {
  const inner = unwrap(schema);
  const def = defOf(inner);
  if (def.type === 'object') {
    const shape = def.shape as Record<string, AnySchema>;
    return Object.entries(shape).flatMap(([key, child]) => listEnvLeaves(child, [...path, key]));
  }
  const kind: EnvLeaf['kind'] =
    def.type === 'string' || def.type === 'enum' || def.type === 'url' || def.type === 'template_literal'
      ? 'string'
      : def.type === 'number'
        ? 'number'
        : def.type === 'boolean'
          ? 'boolean'
          : def.type === 'array'
            ? 'array'
            : 'other';
  return [{ path, variable: envName(path), kind }];
}

function parseValue(leaf: EnvLeaf, raw: string): unknown {
  switch (leaf.kind) {
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        throw new ConfigError(`${leaf.variable} must be a number, got "${raw}"`);
      }
      return value;
    }
    case 'boolean': {
      const lowered = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
      if (['false', '0', 'no', 'off'].includes(lowered)) return false;
      throw new ConfigError(`${leaf.variable} must be true or false, got "${raw}"`);
    }
    case 'array': {
      const trimmed = raw.trim();
      if (trimmed.startsWith('[')) {
        try {
          return JSON.parse(trimmed) as unknown;
        } catch {
          throw new ConfigError(`${leaf.variable} is not valid JSON`);
        }
      }
      return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
    }
    default:
      return raw;
  }
}

/** Returns a copy of `input` with every PRINTGATE_* variable of `env` applied. */
export function applyEnvOverrides(
  schema: AnySchema,
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const result = structuredClone(input);
  for (const leaf of listEnvLeaves(schema)) {
    const raw = env[leaf.variable];
    if (raw === undefined) continue;
    let node: Record<string, unknown> = result;
    for (const part of leaf.path.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[leaf.path[leaf.path.length - 1] as string] = parseValue(leaf, raw);
  }
  return result;
}
