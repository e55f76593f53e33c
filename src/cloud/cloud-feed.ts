import { z } from 'zod';

/** Protocol v1 feed bodies (shared/spec/cloud-sync.md). Parsed only after the signature verified. */

const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
  .transform((value) => value.toLowerCase());

const upsertedEvent = z.object({
  seq: z.number().int().nonnegative(),
  type: z.literal('key.upserted'),
  keyId: z.string().min(1).max(200),
  sha256: sha256Hex,
  name: z.string().max(200).nullish(),
  permissions: z.array(z.string()).default([]),
  groups: z.array(z.string()).nullish(),
  expiresAt: z.string().nullish(),
  disabled: z.boolean().nullish(),
});

const revokedEvent = z.object({
  seq: z.number().int().nonnegative(),
  type: z.literal('key.revoked'),
  keyId: z.string().min(1).max(200).nullish(),
  sha256: sha256Hex.nullish(),
  revokedAt: z.string().nullish(),
});

/** Event types this gateway does not know are tolerated (skipped) so the cloud can grow. */
const otherEvent = z.looseObject({
  seq: z.number().int().nonnegative(),
  type: z.string().refine((type) => type !== 'key.upserted' && type !== 'key.revoked'),
});

export const cloudFeedSchema = z.object({
  gatewayId: z.string(),
  issuedAt: z.iso.datetime({ offset: true }),
  full: z.boolean(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  events: z.array(z.union([upsertedEvent, revokedEvent, otherEvent])),
  hasMore: z.boolean().default(false),
});

export type CloudFeed = z.infer<typeof cloudFeedSchema>;
export type CloudEvent = CloudFeed['events'][number];
export type KeyUpsertedEvent = z.infer<typeof upsertedEvent>;
export type KeyRevokedEvent = z.infer<typeof revokedEvent>;

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
