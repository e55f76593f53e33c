import type { Answer, Question } from 'dns-packet';
import { encodeTxt } from './txt-record.js';

/** One DNS-SD service instance the box announces. */
export interface AdvertisedService {
  /** Instance name ("printgate on box1"); a conflict on the network makes it "printgate on box1 (2)". */
  instance: string;
  /** Service type: _printgate._tcp, _http._tcp, _ipp._tcp, _ipps._tcp. */
  type: string;
  port: number;
  /** TXT keys: `true` for a key without value. Each "key=value" must fit in 255 bytes. */
  txt: Readonly<Record<string, string | true>>;
  /** Subtypes browsed by some clients: _print and _universal for IPP Everywhere / AirPrint. */
  subtypes?: readonly string[];
}

/** TTLs RFC 6762 §10 recommends: 120 s for records naming a host, 75 minutes for the rest. */
export const HOST_TTL = 120;
export const OTHER_TTL = 4500;
export const SERVICES_META = '_services._dns-sd._udp.local';

const SERVICE_TYPE = /^_[a-z0-9-]{1,15}\._(tcp|udp)$/;
const SUBTYPE = /^_[a-z0-9-]{1,62}$/;

/** An instance label: no dots (dns-packet would split it), no control characters, at most 63 bytes of UTF-8. */
export function instanceLabel(name: string): string {
  let label = name.replace(/[\u0000-\u001f\u007f.]+/g, ' ').replace(/\s+/g, ' ').trim() || 'printgate';
  while (Buffer.byteLength(label, 'utf8') > 63) label = Array.from(label).slice(0, -1).join('');
  return label.trimEnd();
}

/** A host label: lower-case letters, digits and hyphens, 1-63 characters. */
export function hostLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'printgate';
}

/** Checks a service before it is announced; throws with the reason (a programming error, not network input). */
export function checkService(service: AdvertisedService): void {
  if (!SERVICE_TYPE.test(service.type)) throw new Error(`mDNS service type "${service.type}" is not _name._tcp or _name._udp`);
  if (!Number.isInteger(service.port) || service.port < 1 || service.port > 65535) throw new Error(`mDNS service port ${service.port} is not 1-65535`);
  for (const subtype of service.subtypes ?? []) if (!SUBTYPE.test(subtype)) throw new Error(`mDNS subtype "${subtype}" is not _name`);
  for (const entry of encodeTxt(service.txt)) if (entry.length > 255) throw new Error(`TXT entry "${entry.subarray(0, 20).toString()}…" is longer than 255 bytes`);
  for (const key of Object.keys(service.txt)) if (!/^[\x20-\x3c\x3e-\x7e]{1,64}$/.test(key)) throw new Error(`TXT key "${key}" must be 1-64 printable characters without "="`);
}

export const fullName = (service: Pick<AdvertisedService, 'instance' | 'type'>): string => `${service.instance}.${service.type}.local`;

/** The records that announce one service pointing at `host` (its A record comes from hostRecords). */
export function serviceRecords(service: AdvertisedService, host: string, ttlScale = 1): { shared: Answer[]; unique: Answer[] } {
  const name = fullName(service);
  const typeName = `${service.type}.local`;
  const shared: Answer[] = [
    { name: typeName, type: 'PTR', ttl: OTHER_TTL * ttlScale, data: name },
    ...(service.subtypes ?? []).map((subtype): Answer => ({ name: `${subtype}._sub.${typeName}`, type: 'PTR', ttl: OTHER_TTL * ttlScale, data: name })),
    { name: SERVICES_META, type: 'PTR', ttl: OTHER_TTL * ttlScale, data: typeName },
  ];
  const unique: Answer[] = [
    { name, type: 'SRV', ttl: HOST_TTL * ttlScale, flush: true, data: { target: host, port: service.port, priority: 0, weight: 0 } },
    { name, type: 'TXT', ttl: OTHER_TTL * ttlScale, flush: true, data: encodeTxt(service.txt) },
  ];
  return { shared, unique };
}

export function hostRecords(host: string, address: string, ttlScale = 1): Answer[] {
  return [{ name: host, type: 'A', ttl: HOST_TTL * ttlScale, flush: true, data: address }];
}

function sameRecord(a: Answer, b: Answer): boolean {
  if (a.type !== b.type || a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  const dataOf = (answer: Answer): string => JSON.stringify((answer as { data?: unknown }).data, (_key, value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  return dataOf(a) === dataOf(b);
}

/**
 * The answers (and additional records) to a query, from the records the box owns: PTR questions
 * for a type, subtype or the service-type list get the PTRs plus SRV, TXT and A as additionals;
 * SRV, TXT and A questions get those records; ANY gets everything under the name. Answers the
 * querier already knows with at least half their TTL left are left out (RFC 6762 7.1).
 */
export function answersFor(questions: readonly Question[], known: readonly Answer[], owned: readonly Answer[]): { answers: Answer[]; additionals: Answer[] } {
  const answers: Answer[] = [];
  for (const question of questions) {
    const name = question.name.toLowerCase();
    for (const record of owned) {
      if (record.name.toLowerCase() !== name || ((question.type as string) !== 'ANY' && question.type !== record.type)) continue;
      if (!answers.includes(record)) answers.push(record);
    }
  }
  const fresh = answers.filter(
    (record) => !known.some((answer) => sameRecord(answer, record) && ((answer as { ttl?: number }).ttl ?? 0) >= ((record as { ttl?: number }).ttl ?? 0) / 2),
  );
  const additionals: Answer[] = [];
  const add = (record: Answer): void => {
    if (!fresh.includes(record) && !additionals.includes(record)) additionals.push(record);
  };
  for (const record of fresh) {
    if (record.type === 'PTR' && record.name.toLowerCase() !== SERVICES_META) {
      const target = String(record.data).toLowerCase();
      for (const other of owned) if ((other.type === 'SRV' || other.type === 'TXT') && other.name.toLowerCase() === target) add(other);
    }
  }
  for (const record of [...fresh, ...additionals]) {
    if (record.type !== 'SRV') continue;
    const host = (record.data as { target: string }).target.toLowerCase();
    for (const other of owned) if (other.type === 'A' && other.name.toLowerCase() === host) add(other);
  }
  return { answers: fresh, additionals };
}

/** dns-packet reads a question's unicast-response bit into its class: anything but plain IN asks for a unicast answer. */
export function wantsUnicast(question: Question): boolean {
  return question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY';
}
