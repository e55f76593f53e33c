import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { fail, pass, type DoctorCheck } from './doctor-check.js';
import { canAccess, type Identity } from './service-user.js';

const CLOUD_TIMEOUT_MS = 5000;
/** The DER header of an Ed25519 SubjectPublicKeyInfo: what a PEM public key holds before the raw 32 bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Why a fetch failed, in words and with the fix, from undici's cause. */
function unreachable(url: URL, error: unknown): DoctorCheck {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as Error).name;
  const target = `${url.hostname}:${url.port || (url.protocol === 'https:' ? 443 : 80)}`;
  const check = 'cloud.url';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(check, `cannot resolve ${url.hostname} (${code})`, 'check the name in cloud.url and this box\'s DNS (resolvectl status, /etc/resolv.conf)');
    case 'ECONNREFUSED':
      return fail(check, `nothing listens at ${target} (connection refused)`, 'check the port in cloud.url; a proxy or the cloud service may be down');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(check, `no route to ${target} (${code})`, 'this box has no route to the internet: check its gateway (ip route) and cable');
    case 'TimeoutError':
    case 'AbortError':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return fail(check, `${target} did not answer within ${CLOUD_TIMEOUT_MS / 1000} s`, 'a firewall drops the traffic, or the box has no internet route (ip route; curl -v the URL)');
    default:
      if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
        return fail(check, `the TLS certificate of ${url.hostname} is not trusted here (${code})`, 'a proxy that intercepts HTTPS, or a wrong clock (check timedatectl)');
      }
      return fail(check, `${target}: ${cause?.message ?? (error as Error).message}`, 'curl -v the URL from this box to see why');
  }
}

/** cloud.url answers (any HTTP status is an answer), and the cloud's clock agrees with ours. */
async function checkCloudUrl(cloud: Config['cloud'], now: () => Date): Promise<DoctorCheck[]> {
  const url = new URL(cloud.url!);
  const started = Date.now();
  let answer: Response;
  try {
    answer = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(CLOUD_TIMEOUT_MS) });
    await answer.body?.cancel();
  } catch (error) {
    return [unreachable(url, error)];
  }
  const checks = [pass('cloud.url', `${url.origin} answers (HTTP ${answer.status}, ${Date.now() - started} ms)`)];
  const date = Date.parse(answer.headers.get('date') ?? '');
  if (!Number.isNaN(date)) {
    // The Date header has whole seconds: allow one more.
    const skew = Math.round((date - now().getTime()) / 1000);
    checks.push(
      Math.abs(skew) > cloud.maxClockSkewSeconds + 1
        ? fail('clock skew', `the cloud's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this box's (cloud.maxClockSkewSeconds ${cloud.maxClockSkewSeconds})`, 'give this box network time: timedatectl set-ntp true; timedatectl timesync-status')
        : pass('clock skew', `the cloud's clock and this box's agree (${skew} s)`),
    );
  }
  return checks;
}

/** Each cloud.publicKeys entry must be the base64 of a raw 32-byte Ed25519 public key. */
function checkPublicKeys(keys: readonly string[]): DoctorCheck[] {
  if (keys.length === 0) return [fail('cloud.publicKeys', 'empty: no feed can be verified, so no key is ever synced', 'paste the signing key the cloud portal shows (44 base64 characters)')];
  return keys.map((text, index) => {
    const trimmed = text.trim();
    const raw = Buffer.from(trimmed, 'base64');
    const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed);
    if (base64 && raw.length === 32) return pass(`cloud.publicKeys[${index}]`, `an Ed25519 key (${trimmed.slice(0, 8)}…)`);
    if (base64 && raw.length === 44 && raw.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
      return fail(`cloud.publicKeys[${index}]`, 'an Ed25519 key in SPKI (PEM body) form, not the raw 32 bytes', `use its raw key instead: "${raw.subarray(12).toString('base64')}"`);
    }
    return fail(`cloud.publicKeys[${index}]`, `not a 32-byte Ed25519 public key in base64 (${base64 ? `it holds ${raw.length} bytes` : 'not base64'})`, 'paste the key exactly as the cloud portal shows it: 44 base64 characters ending in "="');
  });
}

function checkToken(tokenFile: string | undefined, identity: Identity): DoctorCheck {
  if (!tokenFile || !existsSync(tokenFile)) return fail('cloud token', `token file ${tokenFile ?? '(cloud.tokenFile unset)'} missing`, 'write the gateway token to cloud.tokenFile, mode 0600, owned by the service user');
  if (!canAccess(identity, tokenFile, 'r')) return fail('cloud token', `${identity.name} cannot read ${tokenFile}`, `chown ${identity.name}: ${tokenFile} && chmod 600 ${tokenFile}`);
  if ((statSync(tokenFile).mode & 0o077) !== 0) return fail('cloud token', `${tokenFile} is readable by other users`, `chmod 600 ${tokenFile}`);
  if (readFileSync(tokenFile, 'utf8').trim() === '') return fail('cloud token', `${tokenFile} is empty`, 'write the gateway token the cloud portal shows into it');
  return pass('cloud token', `${tokenFile} (0600)`);
}

/** Cloud sync: off, or a URL that answers, a gateway id, usable public keys and a readable token. */
export async function checkCloud(config: Readonly<Config>, identity: Identity, now: () => Date): Promise<DoctorCheck[]> {
  const cloud = config.cloud;
  if (!cloud.url) return [pass('cloud sync', 'off (cloud.url not set)')];
  return [
    ...(await checkCloudUrl(cloud, now)),
    ...(cloud.gatewayId ? [] : [fail('cloud.gatewayId', 'missing', 'set cloud.gatewayId to the id the cloud portal shows')]),
    ...checkPublicKeys(cloud.publicKeys),
    checkToken(cloud.tokenFile, identity),
  ];
}
