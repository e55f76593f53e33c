import type { ListedDevice } from '../driver-api/transport.js';
import { cleanOrNull } from './clean-text.js';
import { serialIdentity, usbIdentity } from './device-identity.js';
import { addSaid, type DeviceFacts } from './describe-device.js';
import { parseIeee1284Id } from './ieee1284-id.js';

/** Facts of a device a local transport listed: a USB printer-class device or a USB-serial adapter. */
export function localDeviceFacts(device: ListedDevice): DeviceFacts {
  const usb = device.vendorId && device.productId ? { vendorId: device.vendorId, productId: device.productId } : undefined;
  const ieee1284 = device.ieee1284Id ? parseIeee1284Id(device.ieee1284Id) : undefined;
  const manufacturer = cleanOrNull(device.manufacturer);
  const product = cleanOrNull(device.product);
  const said: Record<string, string> = {};
  addSaid(said, [
    ['usb.id', usb ? `${usb.vendorId}:${usb.productId}` : null],
    ['usb.manufacturer', manufacturer],
    ['usb.product', product],
    ['usb.serial', device.serial],
    ['path', device.path],
    ['location', device.location],
    ['ieee1284', device.ieee1284Id ? cleanOrNull(device.ieee1284Id, 255) : null],
  ]);
  const names = [
    ...(ieee1284?.model ? [{ from: 'IEEE 1284 MDL', value: ieee1284.model }] : []),
    ...(product ? [{ from: 'USB product', value: product }] : []),
    ...(ieee1284?.description ? [{ from: 'IEEE 1284 DES', value: ieee1284.description }] : []),
  ];
  const isUsbPrinter = device.scheme === 'usb';
  const ids = usb ? `${usb.vendorId}:${usb.productId}` : 'unknown';
  return {
    identity: isUsbPrinter ? usbIdentity(device) : serialIdentity(device),
    source: isUsbPrinter ? 'usb' : 'serial',
    uri: device.uri,
    otherUris: [],
    name: product ?? ieee1284?.model ?? (isUsbPrinter ? `USB printer ${ids}` : `${manufacturer ?? 'serial device'} on ${device.path}`),
    make: ieee1284?.manufacturer ?? manufacturer,
    model: ieee1284?.model ?? product,
    usb,
    ieee1284,
    names,
    formats: [],
    formatsFrom: '',
    resolutionsDpi: [],
    // The USB printer class says "printer"; a serial adapter could be a scale or a modem.
    isPrinterByClass: isUsbPrinter,
    said,
    ipp: null,
    ippError: null,
    interface: null,
  };
}
