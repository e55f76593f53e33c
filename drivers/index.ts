import type { Language, TransportFactory } from '../src/driver-api/index.js';
import { escposLanguage } from './languages/escpos-language.js';
import { rawLanguage } from './languages/raw-language.js';
import { pdfLanguage } from './languages/pdf-language.js';
import { starlineLanguage } from './languages/starline-language.js';
import { starprntLanguage } from './languages/starprnt-language.js';
import { zplLanguage } from './languages/zpl-language.js';
import { fileTransportFactory } from './transports/file-transport.js';
import { ippTransportFactory } from './transports/ipp-transport.js';
import { serialTransportFactory } from './transports/serial-transport.js';
import { usbTransportFactory } from './transports/usb-transport.js';
import { socketTransportFactory } from './transports/socket-transport.js';

/** Every transport and language printgate ships. Only src/main.ts imports this file. */
export const TRANSPORT_FACTORIES: readonly TransportFactory[] = [socketTransportFactory, fileTransportFactory, ippTransportFactory, serialTransportFactory, usbTransportFactory];

export const LANGUAGES: readonly Language[] = [rawLanguage, escposLanguage, starprntLanguage, starlineLanguage, zplLanguage, pdfLanguage];

/** cloudprnt: the printer polls the gateway; main.ts builds this factory around its CloudPRNT hub. */
export { cloudPrntTransportFactory } from './transports/cloudprnt-transport.js';

/** Printer families as data (drivers/profiles), looked up by id: the registry's `profiles`. */
export { findProfile, PROFILES } from './profiles/find-profile.js';
