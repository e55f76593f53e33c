import { DriverError } from '../../src/driver-api/index.js';

export type SerialParity = 'none' | 'even' | 'odd';
export type SerialFlow = 'none' | 'rtscts' | 'xonxoff';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: SerialParity;
  stopBits: 1 | 1.5 | 2;
  flow: SerialFlow;
  /** Keep the port open between jobs (hold=1) instead of opening and closing it per job. */
  hold: boolean;
}

export const SERIAL_DEFAULTS: Omit<SerialSettings, 'path'> = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, flow: 'none', hold: false };

const KNOWN = ['baud', 'databits', 'parity', 'stopbits', 'flow', 'hold'] as const;
type OptionName = (typeof KNOWN)[number];

function bad(name: string, value: string, expected: string): DriverError {
  return new DriverError('UNSUPPORTED_URI', `serial URI option ${name}=${value} is invalid: use ${expected}`, { details: { option: name } });
}

function oneOf<T extends string | number>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => String(candidate) === value);
  if (found === undefined) throw bad(name, value, allowed.join(', '));
  return found;
}

/**
 * serial:/dev/ttyUSB0?baud=9600&databits=8&parity=none&stopbits=1&flow=none|rtscts|xonxoff&hold=1
 * Strict: an unknown, repeated or malformed option is an UNSUPPORTED_URI error naming it.
 */
export function parseSerialUri(uri: URL): SerialSettings {
  if (uri.protocol !== 'serial:') throw new DriverError('UNSUPPORTED_URI', `${uri.href} is not a serial: URI`);
  if (uri.host !== '') throw new DriverError('UNSUPPORTED_URI', `serial URI ${uri.href}: write serial:/dev/ttyX (a device path, no host)`);
  const path = decodeURIComponent(uri.pathname);
  if (!path.startsWith('/') || path === '/') throw new DriverError('UNSUPPORTED_URI', `serial URI ${uri.href} names no device path`);
  const settings: SerialSettings = { path, ...SERIAL_DEFAULTS };
  const seen = new Set<string>();
  for (const [name, value] of uri.searchParams) {
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new DriverError('UNSUPPORTED_URI', `serial URI option "${name}" is unknown (known: ${KNOWN.join(', ')})`, { details: { option: name } });
    }
    if (seen.has(name)) throw new DriverError('UNSUPPORTED_URI', `serial URI option "${name}" is given twice`, { details: { option: name } });
    seen.add(name);
    switch (name as OptionName) {
      case 'baud': {
        const baud = Number(value);
        if (!/^\d+$/.test(value) || baud < 50 || baud > 4_000_000) throw bad(name, value, 'a whole number of bits per second such as 9600 or 115200');
        settings.baudRate = baud;
        break;
      }
      case 'databits':
        settings.dataBits = oneOf(name, value, [5, 6, 7, 8] as const);
        break;
      case 'parity':
        settings.parity = oneOf(name, value, ['none', 'even', 'odd'] as const);
        break;
      case 'stopbits':
        settings.stopBits = oneOf(name, value, [1, 1.5, 2] as const);
        break;
      case 'flow':
        settings.flow = oneOf(name, value, ['none', 'rtscts', 'xonxoff'] as const);
        break;
      case 'hold':
        settings.hold = oneOf(name, value, ['0', '1'] as const) === '1';
        break;
    }
  }
  return settings;
}
