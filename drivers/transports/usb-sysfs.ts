import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/** A USB printer-class device as sysfs describes it. */
export interface UsbPrinterInfo {
  /** lp0, lp1, ... (renumbered on re-plug) */
  name: string;
  /** The character device to write: /dev/usb/lp0 */
  devicePath: string;
  /** Four lower-case hex digits. */
  vendorId: string;
  productId: string;
  /** The USB serial string, or the IEEE 1284 SN: field when the device has none. */
  serial: string | null;
  /** Where `serial` came from: the USB descriptor, the IEEE 1284 id, or nowhere. */
  serialSource: 'usb' | 'ieee1284' | null;
  /** MFG:…;MDL:…;CMD:…; as the printer reports it. */
  ieee1284Id: string | null;
  /** The USB descriptor strings, when the device has them. */
  manufacturer: string | null;
  product: string | null;
  /** The hub port the device is plugged into (1-1, 1-1.4): the USB device directory's name. */
  busPort: string;
}

export interface UsbPrinterMatch {
  vendorId: string;
  productId: string;
  serial: string | null;
}

export interface UsbSysfsOptions {
  /** /sys, or a fake tree in tests. */
  sysfsRoot: string;
  /** /dev, or a temp dir in tests. */
  devRoot: string;
}

async function readText(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).replace(/\0+$/, '').trim();
  } catch {
    return null;
  }
}

/** A field of an IEEE 1284 device id ("MFG:EPSON;MDL:TM-T88V;SN:X123;"), by any of its names. */
export function ieee1284Field(id: string, names: readonly string[]): string | null {
  for (const part of id.split(';')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    if (names.includes(part.slice(0, colon).trim().toUpperCase())) return part.slice(colon + 1).trim() || null;
  }
  return null;
}

async function describeLp(name: string, options: UsbSysfsOptions): Promise<UsbPrinterInfo | null> {
  const classDir = path.join(options.sysfsRoot, 'class', 'usbmisc', name);
  let interfaceDir: string;
  try {
    // lpN/device is the USB interface; its parent (found physically, not lexically) is the USB device.
    interfaceDir = await realpath(path.join(classDir, 'device'));
  } catch {
    return null;
  }
  const usbDir = path.dirname(interfaceDir);
  const vendorId = await readText(path.join(usbDir, 'idVendor'));
  const productId = await readText(path.join(usbDir, 'idProduct'));
  if (!vendorId || !productId) return null;
  const ieee1284Id = await readText(path.join(interfaceDir, 'ieee1284_id'));
  const usbSerial = await readText(path.join(usbDir, 'serial'));
  const serial = usbSerial || (ieee1284Id ? ieee1284Field(ieee1284Id, ['SN', 'SERN', 'SERIALNUMBER']) : null);
  const uevent = (await readText(path.join(classDir, 'uevent'))) ?? '';
  const devName = /^DEVNAME=(.+)$/m.exec(uevent)?.[1] ?? `usb/${name}`;
  return {
    name,
    devicePath: path.join(options.devRoot, devName),
    vendorId: vendorId.toLowerCase(),
    productId: productId.toLowerCase(),
    serial: serial || null,
    serialSource: usbSerial ? 'usb' : serial ? 'ieee1284' : null,
    ieee1284Id: ieee1284Id || null,
    manufacturer: (await readText(path.join(usbDir, 'manufacturer'))) || null,
    product: (await readText(path.join(usbDir, 'product'))) || null,
    busPort: path.basename(usbDir),
  };
}

/** Every USB printer-class device present now, lp0 first. */
export async function listUsbPrinters(options: UsbSysfsOptions): Promise<UsbPrinterInfo[]> {
  let names: string[];
  try {
    names = await readdir(path.join(options.sysfsRoot, 'class', 'usbmisc'));
  } catch {
    return [];
  }
  const lps = names.filter((name) => /^lp\d+$/.test(name)).sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
  const found = await Promise.all(lps.map((name) => describeLp(name, options)));
  return found.filter((info): info is UsbPrinterInfo => info !== null);
}

/** The device that is the wanted printer now (re-resolved every time: a re-plug may renumber it). */
export async function resolveUsbPrinter(match: UsbPrinterMatch, options: UsbSysfsOptions): Promise<UsbPrinterInfo | null> {
  const printers = await listUsbPrinters(options);
  return (
    printers.find(
      (info) => info.vendorId === match.vendorId && info.productId === match.productId && (match.serial === null || info.serial === match.serial),
    ) ?? null
  );
}
