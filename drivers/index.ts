import type { TransportFactory } from '../src/driver-api/index.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileTransportFactory } from './transports/file-transport.js';
import { ippTransportFactory } from './transports/ipp-transport.js';
import { serialTransportFactory } from './transports/serial-transport.js';
import { usbTransportFactory } from './transports/usb-transport.js';
import { socketTransportFactory } from './transports/socket-transport.js';

/** Every transport and language printgate ships. Only src/main.ts imports this file. */
export const TRANSPORT_FACTORIES: readonly TransportFactory[] = [socketTransportFactory, fileTransportFactory, ippTransportFactory, serialTransportFactory, usbTransportFactory];

export { LANGUAGES } from './languages/languages.js';

/** cloudprnt: the printer polls the gateway; main.ts builds this factory around its CloudPRNT hub. */
export { cloudPrntTransportFactory } from './transports/cloudprnt-transport.js';

/** Printer families as data (drivers/profiles), looked up by id: the registry's `profiles`. */
export { findProfile, PROFILES } from './profiles/find-profile.js';

/**
 * The render pool's thread entry: built next to this file. Run from the TypeScript sources (the
 * test runner), the thread is the built one in dist/ — a thread cannot load .ts.
 */
export const RENDER_WORKER_FILE = renderWorkerFile();

function renderWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return path.join(path.dirname(here), 'render-worker.js');
  return path.join(path.dirname(here), '..', 'dist', 'drivers', 'render-worker.js');
}

/** Whether the render thread's file is there (a source checkout that was never built has none). */
export function renderWorkerBuilt(): boolean {
  return existsSync(RENDER_WORKER_FILE);
}
