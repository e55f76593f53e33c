import { z } from 'zod';

/** Protocol v1 feed bodies (shared/spec/cloud-sync.md). Parsed only after the signature verified. */

export interface KeyUpsertedEvent {
  seq: number;
  type: 'key.upserted';
  keyId: string;
  /** Lower case. */
  sha256: string;
  name?: string | null | undefined;
  permissions: string[];
  groups?: string[] | null | undefined;
  expiresAt?: string | null | undefined;
  disabled?: boolean | null | undefined;
}

export interface KeyRevokedEvent {
  seq: number;
  type: 'key.revoked';
  keyId?: string | null | undefined;
  sha256?: string | null | undefined;
  revokedAt?: string | null | undefined;
}

/** Event types this gateway does not know are tolerated (skipped) so the cloud can grow. */
export interface OtherEvent {
  seq: number;
  type: string;
  [field: string]: unknown;
}

export type CloudEvent = KeyUpsertedEvent | KeyRevokedEvent | OtherEvent;

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

type Field = { ok: true } | { ok: false; field: string; message: string };
const bad = (field: string, message: string): Field => ({ ok: false, field, message });
const OK: Field = { ok: true };

function optionalString(event: Record<string, unknown>, field: string, max = Infinity): Field {
  const value = event[field];
  if (value === undefined || value === null) return OK;
  if (typeof value !== 'string') return bad(field, 'must be a string or null');
  return value.length > max ? bad(field, `must be at most ${max} characters`) : OK;
}

function stringList(value: unknown, field: string): Field {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) return bad(field, 'must be a list of strings');
  return OK;
}

/**
 * One event of a feed, checked by hand: a 100,000-key snapshot is checked in a few milliseconds
 * instead of a schema walk per key (the envelope is checked by zod). Returns the event (sha256
 * lower-cased, permissions defaulted) or what is wrong with it. The event is the caller's freshly
 * parsed JSON and is completed in place: a copy per key was a third of a snapshot's garbage.
 */
export function parseCloudEvent(raw: unknown): { ok: true; event: CloudEvent } | { ok: false; field: string; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, field: '', message: 'must be an object' };
  const event = raw as Record<string, unknown>;
  if (typeof event.seq !== 'number' || !Number.isInteger(event.seq) || event.seq < 0) return { ok: false, field: 'seq', message: 'must be a non-negative integer' };
  if (typeof event.type !== 'string') return { ok: false, field: 'type', message: 'must be a string' };
  if (event.type === 'key.upserted') {
    if (typeof event.keyId !== 'string' || event.keyId.length < 1 || event.keyId.length > 200) return { ok: false, field: 'keyId', message: 'must be a string of 1 to 200 characters' };
    if (typeof event.sha256 !== 'string' || !SHA256_HEX.test(event.sha256)) return { ok: false, field: 'sha256', message: 'must be 64 hex characters' };
    const failed = firstFailure(
      optionalString(event, 'name', 200),
      event.permissions === undefined ? OK : stringList(event.permissions, 'permissions'),
      event.groups === undefined || event.groups === null ? OK : stringList(event.groups, 'groups'),
      optionalString(event, 'expiresAt'),
      event.disabled === undefined || event.disabled === null || typeof event.disabled === 'boolean' ? OK : bad('disabled', 'must be a boolean or null'),
    );
    if (failed) return failed;
    event.sha256 = lowerHex(event.sha256);
    event.permissions ??= [];
    return { ok: true, event: event as unknown as KeyUpsertedEvent };
  }
  if (event.type === 'key.revoked') {
    const keyId = optionalString(event, 'keyId', 200);
    if (!keyId.ok) return keyId;
    if (event.keyId === '') return { ok: false, field: 'keyId', message: 'must be a string of 1 to 200 characters' };
    if (event.sha256 !== undefined && event.sha256 !== null && (typeof event.sha256 !== 'string' || !SHA256_HEX.test(event.sha256))) {
      return { ok: false, field: 'sha256', message: 'must be 64 hex characters' };
    }
    const revokedAt = optionalString(event, 'revokedAt');
    if (!revokedAt.ok) return revokedAt;
    if (typeof event.sha256 === 'string') event.sha256 = lowerHex(event.sha256);
    return { ok: true, event: event as unknown as KeyRevokedEvent };
  }
  return { ok: true, event: event as OtherEvent };
}

const UPPER_HEX = /[A-F]/;

function lowerHex(hex: string): string {
  return UPPER_HEX.test(hex) ? hex.toLowerCase() : hex;
}

function firstFailure(...checks: Field[]): { ok: false; field: string; message: string } | null {
  for (const check of checks) if (!check.ok) return check;
  return null;
}

const events = z.array(z.unknown()).transform((raw, ctx) => {
  const parsed: CloudEvent[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) {
    const result = parseCloudEvent(raw[i]);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.message, path: result.field ? [i, result.field] : [i] });
      return z.NEVER;
    }
    parsed[i] = result.event;
  }
  return parsed;
});

export const cloudFeedSchema = z.object({
  gatewayId: z.string(),
  issuedAt: z.iso.datetime({ offset: true }),
  full: z.boolean(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  events,
  hasMore: z.boolean().default(false),
});

export type CloudFeed = z.infer<typeof cloudFeedSchema>;

export function isUpserted(event: CloudEvent): event is KeyUpsertedEvent {
  return event.type === 'key.upserted';
}

export function isRevoked(event: CloudEvent): event is KeyRevokedEvent {
  return event.type === 'key.revoked';
}

/**
 * Why a feed was refused; the label of printgate_cloud_sync_rejected_total{reason}. `rollback` (an
 * issuedAt older than the applied one) is no longer a reason since the sequence alone decides order
 * (cloud-sync.md check 4); the label stays at 0 so that dashboards keep their series.
 */
export type RejectReason = 'bad-signature' | 'malformed' | 'wrong-gateway' | 'replay' | 'rollback' | 'gap';

export const REJECT_REASONS: readonly RejectReason[] = ['bad-signature', 'malformed', 'wrong-gateway', 'replay', 'rollback', 'gap'];
