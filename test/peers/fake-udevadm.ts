import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One tty as udev's database describes it. */
export interface FakeTty {
  /** The kernel name (N: line) serialport filters on: ttyUSB0, ttyACM0, ttyS0. */
  kernelName: string;
  /** DEVNAME: the device file (a pty end in tests). */
  devName: string;
  vendorId?: string;
  productId?: string;
  serial?: string;
  vendor?: string;
  /** The /dev/serial/by-id name udev would make (created as a symlink under devRoot when given). */
  byId?: string;
}

/**
 * Writes `dir/udevadm`, a stand-in for udev's `udevadm info -e` (what serialport's list runs on
 * Linux), listing the given ttys; put `dir` first on PATH. With `devRoot`, each by-id name also
 * becomes a symlink devRoot/serial/by-id/NAME → devName, as udev makes it.
 */
export function writeFakeUdevadm(dir: string, ttys: readonly FakeTty[], devRoot?: string): void {
  mkdirSync(dir, { recursive: true });
  const entries = ttys.map((tty, index) => {
    const lines = [`P: /devices/pci0000:00/0000:00:14.0/usb1/1-${index + 1}/1-${index + 1}:1.0/tty/${tty.kernelName}`, `N: ${tty.kernelName}`, `E: DEVNAME=${tty.devName}`];
    if (tty.vendorId) lines.push(`E: ID_VENDOR_ID=${tty.vendorId}`);
    if (tty.productId) lines.push(`E: ID_MODEL_ID=${tty.productId}`);
    if (tty.serial) lines.push(`E: ID_SERIAL_SHORT=${tty.serial}`);
    if (tty.vendor) lines.push(`E: ID_VENDOR_ENC=${tty.vendor.replace(/ /g, '\\x20')}`);
    if (tty.byId) lines.push(`E: DEVLINKS=/dev/serial/by-id/${tty.byId} /dev/serial/by-path/pci-0000:00:14.0-usb-0:${index + 1}:1.0`);
    if (tty.byId && devRoot) {
      mkdirSync(path.join(devRoot, 'serial', 'by-id'), { recursive: true });
      symlinkSync(tty.devName, path.join(devRoot, 'serial', 'by-id', tty.byId));
    }
    return `${lines.join('\n')}\n`;
  });
  const script = path.join(dir, 'udevadm');
  writeFileSync(script, `#!/bin/sh\n[ "$1 $2" = "info -e" ] || exit 1\ncat <<'UDEV'\n${entries.join('\n')}UDEV\n`);
  chmodSync(script, 0o755);
}
