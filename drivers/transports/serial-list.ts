import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DriverError, type ListedDevice, type TransportContext } from '../../src/driver-api/index.js';

/** One entry of serialport's serialPortClass().list() (udevadm's view on Linux). */
export interface SerialPortListing {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  pnpId?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export type SerialPortLister = () => Promise<SerialPortListing[]>;

/** udevadm answers in milliseconds; one that hangs must not hold discovery. */
const LIST_TIMEOUT_MS = 5000;
const HEX_ID = /^[0-9a-f]{1,4}$/i;

function listError(error: unknown): DriverError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const message =
    code === 'ENOENT'
      ? 'serial ports cannot be listed: udevadm is missing (install the Debian package udev); configure serial printers by path'
      : `serial ports cannot be listed: ${(error as Error).message}`;
  return new DriverError('PRINTER_UNREACHABLE', message, { cause: error });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`udevadm gave no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Serial ports that are USB adapters (they carry USB vendor and product ids). Built-in UARTs such
 * as /dev/ttyS0 are consoles more often than printers and have no ids: they are never listed.
 * Rejects with a DriverError saying why when the OS cannot list (udevadm missing or failing).
 */
export async function listSerialDevices(
  context: Pick<TransportContext, 'devRoot'>,
  lister: SerialPortLister = defaultLister,
): Promise<ListedDevice[]> {
  let ports: SerialPortListing[];
  try {
    ports = await withTimeout(lister(), LIST_TIMEOUT_MS);
  } catch (error) {
    throw listError(error);
  }
  const devRoot = context.devRoot ?? '/dev';
  return ports
    .filter((port) => HEX_ID.test(port.vendorId ?? '') && HEX_ID.test(port.productId ?? '') && port.path.startsWith('/'))
    .map((port) => {
      // udev's /dev/serial/by-id/<pnpId> link keeps its name across re-plugs and reboots.
      const byId = port.pnpId ? path.join(devRoot, 'serial', 'by-id', port.pnpId) : null;
      const stable = byId && existsSync(byId) ? byId : port.path;
      const serial = port.serialNumber?.trim();
      return {
        scheme: 'serial',
        uri: `serial:${encodeURI(stable)}`,
        path: port.path,
        vendorId: (port.vendorId ?? '').toLowerCase().padStart(4, '0'),
        productId: (port.productId ?? '').toLowerCase().padStart(4, '0'),
        ...(serial ? { serial, serialSource: 'usb' as const } : {}),
        ...(port.manufacturer ? { manufacturer: port.manufacturer } : {}),
        ...(byId ? { location: byId } : {}),
      };
    });
}

/**
 * On Linux the listing is serialport's own udevadm reader, loaded alone: listing the ports (which
 * discovery does at start) does not load serialport and its native binding (about 10 MB of RSS),
 * which only opening a port needs. Elsewhere serialport lists.
 */
function defaultLister(): Promise<SerialPortListing[]> {
  if (process.platform !== 'linux') return serialPortClass().list();
  const { linuxList } = createRequire(import.meta.url)('@serialport/bindings-cpp/dist/linux-list.js') as { linuxList: () => Promise<SerialPortListing[]> };
  return linuxList();
}

/** serialport is loaded on first use (~16 MB and a quarter second of start-up otherwise). */
let serialPort: typeof import('serialport').SerialPort | null = null;
function serialPortClass(): typeof import('serialport').SerialPort {
  return (serialPort ??= (createRequire(import.meta.url)('serialport') as typeof import('serialport')).SerialPort);
}
