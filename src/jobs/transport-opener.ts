import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { parseDeviceUri } from '../cloudprnt/cloudprnt-uri.js';
import type { Transport, TransportContext, TransportFactory } from '../driver-api/index.js';
import { AppError } from '../errors/app-error.js';

/** What a transport needs from the gateway besides its URI. */
export interface TransportOpenerDeps {
  factories: readonly TransportFactory[];
  config: Readonly<Config>;
  log: Logger;
}

/** A device URI → the transport that serves its scheme; UNSUPPORTED_URI when none does. */
export type OpenTransport = (target: { id: string; uri: string }) => Transport;

export function transportOpener({ factories, config, log }: TransportOpenerDeps): OpenTransport {
  const bySchemes = new Map(factories.flatMap((factory) => factory.schemes.map((scheme) => [scheme, factory] as const)));
  return (target) => {
    let uri: URL;
    try {
      uri = parseDeviceUri(target.uri);
    } catch {
      throw new AppError('UNSUPPORTED_URI', `printer ${target.id}: "${target.uri}" is not a valid device URI`);
    }
    const scheme = uri.protocol.replace(/:$/, '');
    const factory = bySchemes.get(scheme);
    if (!factory) {
      throw new AppError('UNSUPPORTED_URI', `printer ${target.id}: no transport for "${scheme}:" (supported: ${[...bySchemes.keys()].join(', ')})`);
    }
    const context: TransportContext = {
      log: log.child({ printerId: target.id, transport: scheme }),
      connectTimeoutMs: config.jobs.connectTimeoutMs,
      confirmTimeoutMs: config.jobs.confirmTimeoutMs,
      stallMs: config.jobs.stallSeconds * 1000,
      sysfsRoot: config.devices.sysfsRoot,
      devRoot: config.devices.devRoot,
    };
    return factory.create(uri, context);
  };
}
