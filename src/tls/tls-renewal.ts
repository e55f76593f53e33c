import type { Logger } from 'pino';
import { loadOrCreateCertificate, type TlsCertificateOptions, type TlsMaterial } from './tls-certificate.js';

const CHECK_MS = 24 * 60 * 60_000;

export interface TlsRenewalDeps {
  options: TlsCertificateOptions;
  log: Logger;
  /** Called with a certificate made again (Servers.setCertificate). */
  onRenewed: (material: TlsMaterial) => void;
  checkMs?: number;
}

/** Checks a generated certificate daily and makes it again before it expires (or when the box's names change). */
export class TlsRenewal {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: TlsRenewalDeps) {}

  start(): void {
    if (this.timer || this.deps.options.certFile !== undefined) return;
    this.timer = setInterval(() => void this.check(), this.deps.checkMs ?? CHECK_MS);
    this.timer.unref();
  }

  async check(): Promise<TlsMaterial | null> {
    try {
      const material = await loadOrCreateCertificate(this.deps.options);
      if (material.renewed === null) return null;
      this.deps.log.info({ reason: material.renewed, sha256: material.sha256, notAfter: material.notAfter }, 'TLS certificate made again');
      this.deps.onRenewed(material);
      return material;
    } catch (error) {
      this.deps.log.error({ err: error }, 'TLS certificate renewal failed; the current one stays');
      return null;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
