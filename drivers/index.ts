import type { Language, TransportFactory } from '../src/driver-api/index.js';
import { escposLanguage } from './languages/escpos-language.js';
import { rawLanguage } from './languages/raw-language.js';
import { fileTransportFactory } from './transports/file-transport.js';
import { socketTransportFactory } from './transports/socket-transport.js';

/** Every transport and language printgate ships. Only src/main.ts imports this file. */
export const TRANSPORT_FACTORIES: readonly TransportFactory[] = [socketTransportFactory, fileTransportFactory];

export const LANGUAGES: readonly Language[] = [rawLanguage, escposLanguage];
