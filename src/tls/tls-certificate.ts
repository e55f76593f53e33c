import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import path from 'node:path';

/**
 * The box's TLS certificate. With `certFile`/`keyFile` it is the operator's; otherwise printgate
 * makes one on first start — self-signed, ECDSA P-256 (small, fast on a Pi, accepted everywhere),
 * SAN = the box's host names and interface addresses — keeps it in `<dataDir>/tls/`, and makes it
 * again before it expires or when the box's names or addresses change. @peculiar/x509 builds the
 * certificate on node's own WebCrypto: node can verify and parse X.509 but cannot issue it, and
 * @peculiar/x509 is maintained, typed and does no crypto of its own (node-forge, the usual
 * alternative, has no ECDSA). It needs the reflect-metadata polyfill (its tsyringe container), so
 * both load only when a certificate is made, not at every start.
 */
async function loadX509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Browsers cap server certificates at 398 days; pinning clients do not care, browsers do. */
const VALIDITY_DAYS = 397;
const DAY_MS = 86_400_000;

export interface TlsMaterial {
  cert: string;
  key: string;
  source: 'generated' | 'operator';
  /** SHA-256 of the certificate (DER), upper-case hex with colons, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  sha256: string;
  /** SHA-256 of the public key (SPKI DER), base64: `curl --pinnedpubkey sha256//<this>`. */
  spkiSha256: string;
  notAfter: string;
  /** DNS names and addresses the certificate is for. */
  names: string[];
}

export interface TlsCertificateOptions {
  dataDir: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Extra names for the SAN (server.tls.hostnames). */
  hostnames?: readonly string[];
  renewDaysBefore: number;
  now: () => Date;
  /** The box's names and addresses (default: host name, host name.local, localhost, interface addresses). */
  boxNames?: () => string[];
}

/** The host name, `<host>.local` (mDNS), localhost, and every interface address (IPv6 link-local left out: no zone in a SAN). */
export function boxNames(): string[] {
  const host = osHostname().toLowerCase();
  const addresses = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address)
    .filter((address) => !/^fe80:/i.test(address));
  return [...new Set([host, `${host.replace(/\.local$/, '')}.local`, 'localhost', ...addresses])];
}

export function fingerprints(certPem: string): { sha256: string; spkiSha256: string; notAfter: string; names: string[] } {
  const cert = new X509Certificate(certPem);
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const names = (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter((entry) => entry !== '');
  return {
    sha256: cert.fingerprint256,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    notAfter: new Date(cert.validTo).toISOString(),
    names,
  };
}

/** A name as node prints a SAN: IPv6 addresses written out in eight groups ("0:0:0:0:0:0:0:1"), DNS names lower case. */
export function canonicalName(name: string): string {
  if (isIP(name) !== 6) return name.toLowerCase();
  const [head = '', tail = ''] = name.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = name.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = name.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.map((group) => (group.includes('.') ? group : String(Number.parseInt(group, 16).toString(16)))).join(':');
}

function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Makes a self-signed ECDSA P-256 server certificate for `names`. */
export async function generateCertificate(names: readonly string[], now: Date): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const crypto = webcrypto;
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const dns = names.filter((name) => isIP(name) === 0);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      name: `CN=printgate ${dns[0] ?? names[0] ?? 'gateway'}, O=printgate`,
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      keys: keys as never,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names.map((name) => ({ type: isIP(name) === 0 ? 'dns' : 'ip', value: name }))),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never, false, crypto as never),
      ],
    },
    crypto as never,
  );
  const key = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: certificate.toString('pem'), key: pem('PRIVATE KEY', key) };
}

function writePrivate(file: string, text: string): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, text, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
}

/** Why a generated certificate must be made again, or null while it is good. */
export function renewalReason(certPem: string, wanted: readonly string[], now: Date, renewDaysBefore: number): string | null {
  const current = fingerprints(certPem);
  if (Date.parse(current.notAfter) - now.getTime() < renewDaysBefore * DAY_MS) return `expires ${current.notAfter}`;
  const have = new Set(current.names.map(canonicalName));
  const missing = wanted.filter((name) => !have.has(canonicalName(name)));
  return missing.length > 0 ? `new names ${missing.join(', ')}` : null;
}

/**
 * The certificate to serve: the operator's files, else the generated one from `<dataDir>/tls/`,
 * made (or made again) when missing, near expiry, or missing one of the box's names.
 */
export async function loadOrCreateCertificate(options: TlsCertificateOptions): Promise<TlsMaterial & { renewed: string | null }> {
  if (options.certFile !== undefined || options.keyFile !== undefined) {
    if (options.certFile === undefined || options.keyFile === undefined) throw new Error('server.tls needs both certFile and keyFile (or neither, to use a generated certificate)');
    const cert = readFileSync(options.certFile, 'utf8');
    const key = readFileSync(options.keyFile, 'utf8');
    return { cert, key, source: 'operator', ...fingerprints(cert), renewed: null };
  }
  const dir = path.join(options.dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const wanted = [...new Set([...(options.boxNames ?? boxNames)(), ...(options.hostnames ?? []).map((name) => name.toLowerCase())])];
  const now = options.now();
  let renewed: string | null = null;
  if (existsSync(certFile) && existsSync(keyFile)) {
    renewed = renewalReason(readFileSync(certFile, 'utf8'), wanted, now, options.renewDaysBefore);
  } else {
    renewed = 'first start';
  }
  if (renewed !== null) {
    const made = await generateCertificate(wanted, now);
    writePrivate(keyFile, made.key);
    writePrivate(certFile, made.cert);
  }
  const cert = readFileSync(certFile, 'utf8');
  return { cert, key: readFileSync(keyFile, 'utf8'), source: 'generated', ...fingerprints(cert), renewed };
}
