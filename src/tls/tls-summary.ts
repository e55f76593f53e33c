import type { TlsMaterial } from './tls-certificate.js';

/** What `doctor`, the status page and /healthz may show about TLS: nothing secret. */
export interface TlsSummary {
  https: string | null;
  source: TlsMaterial['source'];
  /** Certificate SHA-256, hex with colons (compare with the browser's certificate viewer). */
  sha256: string;
  /** Public-key SHA-256, base64: `curl --pinnedpubkey sha256//<spkiSha256>`. */
  spkiSha256: string;
  notAfter: string;
  names: string[];
}

export function tlsSummary(material: TlsMaterial, httpsUrl: string | null): TlsSummary {
  return { https: httpsUrl, source: material.source, sha256: material.sha256, spkiSha256: material.spkiSha256, notAfter: material.notAfter, names: material.names };
}

/**
 * DNS-SD TXT entries for the gateway's own advertisement: the HTTPS port and the certificate's
 * fingerprint, so a POS that discovers the box can pin it on first contact (each value < 255 bytes).
 */
export function tlsTxtRecord(material: Pick<TlsMaterial, 'sha256' | 'spkiSha256'>, httpsPort: number): Record<string, string> {
  return { tls: '1', httpsport: String(httpsPort), sha256: material.sha256.replace(/:/g, '').toLowerCase(), spki: material.spkiSha256 };
}
