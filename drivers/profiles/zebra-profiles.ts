import type { PrinterProfile } from '../../src/driver-api/index.js';

/** Zebra ZPL label printers, 4-inch print head. Columns are what a text label fits: ZPL font 0 within the 2 mm margins (label-text.ts). */
export const ZEBRA_PROFILES: readonly PrinterProfile[] = [
  {
    id: 'zebra-203dpi',
    name: 'Zebra ZPL 203 dpi (4 inch)',
    language: 'zpl',
    paperWidthMM: 104,
    printableWidthMM: 104,
    dotsPerMM: 8,
    columns: 50,
    fontBColumns: 72,
    cutter: 'none',
    drawer: false,
    buzzer: false,
    statusProtocol: 'zpl-hs',
    // The head resolution tells the two apart: Zebra models name it ("ZTC ZD410-203dpi ZPL").
    match: { usb: ['0a5f:*'], ieee1284: ['MFG:Zebra;CMD:ZPL'], mdns: ['203dpi'] },
  },
  {
    id: 'zebra-300dpi',
    name: 'Zebra ZPL 300 dpi (4 inch)',
    language: 'zpl',
    paperWidthMM: 104,
    printableWidthMM: 104,
    dotsPerMM: 12,
    columns: 50,
    fontBColumns: 70,
    cutter: 'none',
    drawer: false,
    buzzer: false,
    statusProtocol: 'zpl-hs',
    match: { usb: ['0a5f:*'], ieee1284: ['MFG:Zebra;CMD:ZPL'], mdns: ['300dpi'] },
  },
];
