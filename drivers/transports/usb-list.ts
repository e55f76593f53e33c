import type { ListedDevice, TransportContext } from '../../src/driver-api/index.js';
import { listUsbPrinters, type UsbPrinterInfo } from './usb-sysfs.js';

/** The sysfs and /dev roots a context names (config devices.*), else the real ones. */
export function usbRoots(context: Pick<TransportContext, 'sysfsRoot' | 'devRoot'>): { sysfsRoot: string; devRoot: string } {
  return { sysfsRoot: context.sysfsRoot ?? '/sys', devRoot: context.devRoot ?? '/dev' };
}

/**
 * The URI that keeps finding this printer: usb:VID:PID/SERIAL when it has a serial number; else
 * usb:VID:PID when no other present printer has the same ids; else its device file (which a
 * re-plug may renumber).
 */
function stableUri(info: UsbPrinterInfo, all: readonly UsbPrinterInfo[]): string {
  if (info.serial) return `usb:${info.vendorId}:${info.productId}/${encodeURIComponent(info.serial)}`;
  const twins = all.filter((other) => other.vendorId === info.vendorId && other.productId === info.productId);
  return twins.length === 1 ? `usb:${info.vendorId}:${info.productId}` : `usb:${info.devicePath}`;
}

/** Every USB printer-class device present now (usblp's /sys/class/usbmisc/lpN), as listed devices. */
export async function listUsbDevices(context: Pick<TransportContext, 'sysfsRoot' | 'devRoot'>): Promise<ListedDevice[]> {
  const printers = await listUsbPrinters(usbRoots(context));
  return printers.map((info) => ({
    scheme: 'usb',
    uri: stableUri(info, printers),
    path: info.devicePath,
    vendorId: info.vendorId,
    productId: info.productId,
    ...(info.serial ? { serial: info.serial } : {}),
    ...(info.serialSource ? { serialSource: info.serialSource } : {}),
    ...(info.manufacturer ? { manufacturer: info.manufacturer } : {}),
    ...(info.product ? { product: info.product } : {}),
    ...(info.ieee1284Id ? { ieee1284Id: info.ieee1284Id } : {}),
    location: info.busPort,
  }));
}
