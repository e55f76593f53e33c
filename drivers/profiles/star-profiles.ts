import type { PrinterProfile } from '../../src/driver-api/index.js';

/** Star receipt printers: 80 mm paper, 72 mm printable at 203 dpi (576 dots), 48 columns in font A. */
const STAR_80MM = {
  paperWidthMM: 80,
  printableWidthMM: 72,
  dotsPerMM: 8,
  columns: 48,
  fontBColumns: 64,
  cutter: 'partial',
  drawer: true,
  buzzer: true,
  codepageMapping: 'star',
  statusProtocol: 'star-asb',
} as const;

export const STAR_PROFILES: readonly PrinterProfile[] = [
  { id: 'star-tsp100-starprnt', name: 'Star TSP100 (StarPRNT)', language: 'starprnt', ...STAR_80MM, match: { usb: ['0519:0003'], ieee1284: ['MFG:STAR;MDL:TSP100'], mdns: ['TSP100'] } },
  { id: 'star-tsp100-line', name: 'Star TSP100 (Star Line)', language: 'starline', ...STAR_80MM, match: { usb: ['0519:0003'], ieee1284: ['MFG:STAR;MDL:TSP100'], mdns: ['TSP100'] } },
  { id: 'star-tsp143-starprnt', name: 'Star TSP143 (StarPRNT)', language: 'starprnt', ...STAR_80MM, match: { usb: ['0519:0003', '0519:0049'], ieee1284: ['MFG:STAR;MDL:TSP143'], mdns: ['TSP143'] } },
  { id: 'star-tsp143-line', name: 'Star TSP143 (Star Line)', language: 'starline', ...STAR_80MM, match: { usb: ['0519:0003', '0519:0049'], ieee1284: ['MFG:STAR;MDL:TSP143'], mdns: ['TSP143'] } },
  { id: 'star-mcprint3-starprnt', name: 'Star mC-Print3 (StarPRNT)', language: 'starprnt', ...STAR_80MM, match: { usb: ['0519:0047'], ieee1284: ['MFG:STAR;MDL:MCP31'], mdns: ['MCP31', 'mC-Print3'] } },
  { id: 'star-mcprint3-line', name: 'Star mC-Print3 (Star Line)', language: 'starline', ...STAR_80MM, match: { usb: ['0519:0047'], ieee1284: ['MFG:STAR;MDL:MCP31'], mdns: ['MCP31', 'mC-Print3'] } },
];
