import { canSeeGroup, requirePermission, type Authenticator } from '../keys/authenticator.js';
import { isAppError } from '../errors/app-error.js';
import type { AddressList } from '../net/address-list.js';
import type { StatusName } from './ipp-constants.js';

/** Who may print, by IPP and on raw ports: client networks, and optionally a printgate key over HTTP Basic. */
export interface ClientAccessDeps {
  allow: AddressList;
  requireKey: boolean;
  authenticator: Pick<Authenticator, 'authenticate'>;
}

export type AccessDecision =
  | { ok: true; keyId: string | null; user: string | null }
  | { ok: false; status: StatusName; httpStatus: 200 | 401; message: string };

/** The password of an `Authorization: Basic …` header (the user name is free), or null. */
export function basicPassword(authorization: string | undefined): { user: string; password: string } | null {
  const match = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class ClientAccess {
  constructor(private readonly deps: ClientAccessDeps) {}

  /** Is the client's network allowed at all (IPP and raw ports)? */
  allowsAddress(address: string | undefined): boolean {
    return address !== undefined && this.deps.allow.has(address);
  }

  get requiresKey(): boolean {
    return this.deps.requireKey;
  }

  /**
   * A client outside ipp.allow gets client-error-forbidden; with ipp.requireKey, no credentials
   * get HTTP 401 (so CUPS and phones ask for them), and a key that is unknown, revoked, lacks
   * PrintToDevice or is limited to other groups gets client-error-not-authorized.
   */
  decide(input: { address: string | undefined; authorization: string | undefined; groupPath: string }): AccessDecision {
    if (!this.allowsAddress(input.address)) {
      return { ok: false, status: 'client-error-forbidden', httpStatus: 200, message: `client ${input.address ?? '?'} is not in ipp.allow` };
    }
    if (!this.deps.requireKey) return { ok: true, keyId: null, user: null };
    const credentials = basicPassword(input.authorization);
    if (!credentials) return { ok: false, status: 'client-error-not-authenticated', httpStatus: 401, message: 'a printgate key is needed as the password (HTTP Basic)' };
    try {
      const record = this.deps.authenticator.authenticate({ authorization: `Bearer ${credentials.password}` });
      requirePermission(record, 'PrintToDevice');
      if (!canSeeGroup(record, input.groupPath)) throw new Error('group');
      return { ok: true, keyId: record.id, user: credentials.user || record.name };
    } catch (error) {
      const reason = isAppError(error) ? error.code : 'NOT_IN_GROUP';
      return { ok: false, status: 'client-error-not-authorized', httpStatus: 200, message: `the key may not print on this printer (${reason})` };
    }
  }
}
