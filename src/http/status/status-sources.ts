import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import type { PrinterRegistry } from '../../printers/printer-registry.js';
import { fingerprints } from '../../tls/tls-certificate.js';
import { PrinterStateFile } from './printer-state-file.js';

/** What the status page shows about TLS: fingerprints to compare and pin, nothing secret. */
export interface StatusTls {
  /** The HTTPS port (server.tls.port as configured). */
  port: number;
  source: 'generated' | 'operator';
  sha256: string;
  spkiSha256: string;
  notAfter: string;
  names: string[];
}

/** What the status page needs beside the HTTP services (src/main.ts hands it to gatewayRoutes). */
export interface StatusPageSources {
  /** The certificate HTTPS serves now, or null without server.tls (or while it cannot be read). */
  tls(): StatusTls | null;
}

export interface StatusPageSourcesDeps {
  config: Readonly<Config>;
  registry: Pick<PrinterRegistry, 'list' | 'status' | 'onStatusChange'>;
  now: () => Date;
}

/**
 * The status page's sources, and the printer-state record `printers list` reads (started here,
 * with the gateway). TLS is read from the certificate file the servers load — the operator's
 * certFile, else <dataDir>/tls/cert.pem — again whenever the file changes, so a renewal shows at once.
 */
export function statusPageSources({ config, registry, now }: StatusPageSourcesDeps): StatusPageSources {
  new PrinterStateFile({ dataDir: config.dataDir, registry, now }).start();
  const tls = config.server.tls;
  const certFile = tls.certFile ?? path.join(config.dataDir, 'tls', 'cert.pem');
  let cached: { mtimeMs: number; value: StatusTls } | null = null;
  return {
    tls: () => {
      if (!tls.enabled) return null;
      try {
        const { mtimeMs } = statSync(certFile);
        if (cached?.mtimeMs !== mtimeMs) {
          cached = { mtimeMs, value: { port: tls.port, source: tls.certFile ? 'operator' : 'generated', ...fingerprints(readFileSync(certFile, 'utf8')) } };
        }
        return cached.value;
      } catch {
        return null;
      }
    },
  };
}
