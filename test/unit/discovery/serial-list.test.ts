import { describe, expect, it } from 'vitest';
import { listSerialDevices } from '../../../drivers/transports/serial-list.js';

describe('serial port listing (serialport list behind udevadm)', () => {
  it('lists USB-serial adapters and never built-in UARTs such as the console /dev/ttyS0', async () => {
    const devices = await listSerialDevices({ devRoot: '/nonexistent' }, async () => [
      { path: '/dev/ttyS0' },
      { path: '/dev/ttyUSB0', vendorId: '04B8', productId: '0e27', serialNumber: 'X1', manufacturer: 'EPSON', pnpId: 'usb-EPSON_TM-T88V_X1-if00' },
    ]);
    expect(devices).toEqual([
      { scheme: 'serial', uri: 'serial:/dev/ttyUSB0', path: '/dev/ttyUSB0', vendorId: '04b8', productId: '0e27', serial: 'X1', serialSource: 'usb', manufacturer: 'EPSON', location: '/nonexistent/serial/by-id/usb-EPSON_TM-T88V_X1-if00' },
    ]);
  });

  it('says why when the OS cannot list: udevadm missing', async () => {
    const missing = Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' });
    await expect(listSerialDevices({}, () => Promise.reject(missing))).rejects.toThrow(/udevadm is missing \(install the Debian package udev\)/);
  });
});
