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

/** The slice of a JSON Schema node the leaves are read from. */
interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
}

export function envName(path: readonly string[]): string {
  return (
    'PRINTGATE_' +
    path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
  );
}

function kindOf(node: JsonSchemaNode): EnvLeaf['kind'] {
  const types = node.anyOf ? node.anyOf.flatMap((option) => option.type ?? []) : [node.type ?? []].flat();
  if (types.includes('array')) return 'array';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('number') || types.includes('integer')) return 'number';
  if (types.includes('string') || node.enum !== undefined) return 'string';
  return 'other';
}

function leavesOf(node: JsonSchemaNode, path: string[]): EnvLeaf[] {
  if (node.properties) return Object.entries(node.properties).flatMap(([key, child]) => leavesOf(child, [...path, key]));
  return [{ path, variable: envName(path), kind: kindOf(node) }];
}

/** Every leaf of the schema (read from its JSON Schema, not zod internals) with its PRINTGATE_* variable. */
export function listEnvLeaves(schema: AnySchema): EnvLeaf[] {
  return leavesOf(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode, []);
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

/** Variables that start with PRINTGATE_ but configure nothing here (the config file, and the CLI's own). */
const NOT_LEAVES = new Set(['PRINTGATE_CONFIG']);

/**
 * Returns a copy of `input` with every PRINTGATE_* variable of `env` applied. A PRINTGATE_*
 * variable that names no key is an error, like an unknown key in the file.
 */
export function applyEnvOverrides(
  schema: AnySchema,
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const result = structuredClone(input);
  const leaves = listEnvLeaves(schema);
  const known = new Set(leaves.map((leaf) => leaf.variable));
  const unknown = Object.keys(env).filter((name) => name.startsWith('PRINTGATE_') && !known.has(name) && !NOT_LEAVES.has(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      'Unknown configuration variable',
      unknown.sort().map((name) => `${name}: unknown variable (keys: ${leaves.slice(0, 6).map((leaf) => leaf.variable).join(', ')}, … — see config/printgate.example.yaml)`),
    );
  }
  for (const leaf of leaves) {
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
