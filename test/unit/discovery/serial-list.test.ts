import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSerialDevices } from '../../../drivers/transports/serial-list.js';

/** What `udevadm info -e` prints for a console UART and a USB-serial printer adapter (abridged). */
const UDEVADM_EXPORT = `P: /devices/platform/serial8250/tty/ttyS0
N: ttyS0
E: DEVNAME=/dev/ttyS0
E: SUBSYSTEM=tty

P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/ttyUSB0/tty/ttyUSB0
N: ttyUSB0
S: serial/by-id/usb-EPSON_TM-T88V_X1-if00-port0
E: DEVLINKS=/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0 /dev/serial/by-id/usb-EPSON_TM-T88V_X1-if00-port0
E: DEVNAME=/dev/ttyUSB0
E: ID_VENDOR_ENC=EPSON\\x20
E: ID_VENDOR_ID=04b8
E: ID_MODEL_ID=0e27
E: ID_SERIAL_SHORT=X1
E: SUBSYSTEM=tty

`;

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

  it('lists through udevadm without loading serialport and its native binding (only opening a port needs them)', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'printgate-udevadm-'));
    const savedPath = process.env.PATH;
    try {
      // udevadm as the OS has it: a program on PATH answering `info -e` (no udev runs here).
      writeFileSync(path.join(bin, 'udevadm'), `#!/bin/sh\n[ "$1 $2" = "info -e" ] || exit 2\ncat <<'EOF'\n${UDEVADM_EXPORT}EOF\n`);
      chmodSync(path.join(bin, 'udevadm'), 0o755);
      process.env.PATH = `${bin}:${savedPath ?? ''}`;
      const devices = await listSerialDevices({ devRoot: '/nonexistent' });
      expect(devices).toEqual([
        { scheme: 'serial', uri: 'serial:/dev/ttyUSB0', path: '/dev/ttyUSB0', vendorId: '04b8', productId: '0e27', serial: 'X1', serialSource: 'usb', manufacturer: 'EPSON ', location: '/nonexistent/serial/by-id/usb-EPSON_TM-T88V_X1-if00-port0' },
      ]);
      const loaded = Object.keys((createRequire(import.meta.url)('node:module') as { _cache: Record<string, unknown> })._cache);
      expect(loaded.filter((file) => file.includes(`${path.sep}node_modules${path.sep}serialport${path.sep}`))).toEqual([]);
    } finally {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
