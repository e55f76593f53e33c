import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

export interface FakeUsbPrinter {
  vendorId: string;
  productId: string;
  serial?: string;
  ieee1284Id?: string;
  /** The hub port, as in /sys/devices/…/1-1: another port after a re-plug. */
  busPort: string;
  /** USB descriptor strings. */
  manufacturer?: string;
  product?: string;
}

export interface FifoReader {
  fifo: string;
  received(): Buffer;
  waitForBytes(count: number, timeoutMs?: number): Promise<Buffer>;
  stop(): Promise<void>;
}

/**
 * A sysfs tree shaped like the kernel's for USB printer-class devices, plus a /dev directory whose
 * usb/lpN are FIFOs with a reader (write-only, like a unidirectional printer) or symlinks to a pty
 * (plugDevice: answers, like a bidirectional one): class/usbmisc/lpN → devices/…/<port>/<port>:1.0/usbmisc/lpN,
 * lpN/device → the interface (ieee1284_id), its parent → the USB device (idVendor, idProduct, serial).
 */
export class FakeUsbSysfs {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'printgate-usb-'));
  readonly sysfsRoot = path.join(this.dir, 'sys');
  readonly devRoot = path.join(this.dir, 'dev');
  private readonly readers: FifoReader[] = [];

  constructor() {
    if (spawnSync('sh', ['-c', 'command -v mkfifo'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('mkfifo is missing: install the Debian package coreutils');
    }
    mkdirSync(path.join(this.sysfsRoot, 'class', 'usbmisc'), { recursive: true });
    mkdirSync(path.join(this.devRoot, 'usb'), { recursive: true });
  }

  /** Plugs a printer in as lpN: sysfs entries and a FIFO device with a reader. */
  async plug(lp: number, printer: FakeUsbPrinter): Promise<FifoReader> {
    this.addSysfsEntries(lp, printer);
    const fifo = path.join(this.devRoot, 'usb', `lp${lp}`);
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${made.stderr.toString()}`);
    const reader = await startFifoReader(fifo, path.join(this.dir, `lp${lp}-${printer.busPort}.out`));
    this.readers.push(reader);
    return reader;
  }

  /**
   * Plugs a printer in as lpN whose device file is `device` (a pty end that can answer, as a
   * bidirectional usblp device does): sysfs entries, and dev/usb/lpN a symlink to `device`, as
   * udev makes them. Returns the lpN path the gateway opens.
   */
  plugDevice(lp: number, printer: FakeUsbPrinter, device: string): string {
    this.addSysfsEntries(lp, printer);
    const node = path.join(this.devRoot, 'usb', `lp${lp}`);
    symlinkSync(device, node);
    return node;
  }

  private addSysfsEntries(lp: number, printer: FakeUsbPrinter): void {
    const usbDir = path.join(this.sysfsRoot, 'devices', 'pci0000:00', 'usb1', printer.busPort);
    const interfaceDir = path.join(usbDir, `${printer.busPort}:1.0`);
    const lpDir = path.join(interfaceDir, 'usbmisc', `lp${lp}`);
    mkdirSync(lpDir, { recursive: true });
    writeFileSync(path.join(usbDir, 'idVendor'), `${printer.vendorId}\n`);
    writeFileSync(path.join(usbDir, 'idProduct'), `${printer.productId}\n`);
    if (printer.serial !== undefined) writeFileSync(path.join(usbDir, 'serial'), `${printer.serial}\n`);
    if (printer.manufacturer !== undefined) writeFileSync(path.join(usbDir, 'manufacturer'), `${printer.manufacturer}\n`);
    if (printer.product !== undefined) writeFileSync(path.join(usbDir, 'product'), `${printer.product}\n`);
    if (printer.ieee1284Id !== undefined) writeFileSync(path.join(interfaceDir, 'ieee1284_id'), printer.ieee1284Id);
    writeFileSync(path.join(lpDir, 'uevent'), `MAJOR=180\nMINOR=${lp}\nDEVNAME=usb/lp${lp}\n`);
    symlinkSync(path.relative(lpDir, interfaceDir), path.join(lpDir, 'device'));
    symlinkSync(path.relative(path.join(this.sysfsRoot, 'class', 'usbmisc'), lpDir), path.join(this.sysfsRoot, 'class', 'usbmisc', `lp${lp}`));
  }

  /** Another driver's device in the same class (cdc-wdm modems live in usbmisc too): not a printer. */
  addForeign(name: string, busPort: string): void {
    const dir = path.join(this.sysfsRoot, 'devices', 'pci0000:00', 'usb1', busPort, `${busPort}:1.0`, 'usbmisc', name);
    mkdirSync(dir, { recursive: true });
    symlinkSync(path.relative(path.join(this.sysfsRoot, 'class', 'usbmisc'), dir), path.join(this.sysfsRoot, 'class', 'usbmisc', name));
  }

  /** Unplugs lpN: its sysfs entries and device file disappear. */
  async unplug(lp: number): Promise<void> {
    const link = path.join(this.sysfsRoot, 'class', 'usbmisc', `lp${lp}`);
    rmSync(link, { force: true });
    const fifo = path.join(this.devRoot, 'usb', `lp${lp}`);
    for (const reader of this.readers.filter((candidate) => candidate.fifo === fifo)) await reader.stop();
    rmSync(fifo, { force: true });
  }

  async dispose(): Promise<void> {
    for (const reader of this.readers.splice(0)) await reader.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Reads a FIFO like a printer would, across any number of writers: `cat` on a read-write fd of the
 * FIFO never sees end-of-file between jobs.
 */
export async function startFifoReader(fifo: string, out: string): Promise<FifoReader> {
  rmSync(out, { force: true });
  const child: ChildProcess = spawn('sh', ['-c', 'exec 3<>"$0"; exec cat <&3 >> "$1"', fifo, out], { stdio: 'ignore' });
  // The shell creates `out` only after it has opened the FIFO: once it exists, a reader is there.
  await waitFor(`a reader on ${fifo}`, () => existsSync(out), 5000);
  const received = (): Buffer => (existsSync(out) ? readFileSync(out) : Buffer.alloc(0));
  return {
    fifo,
    received,
    waitForBytes: (count, timeoutMs = 10_000) =>
      waitFor(`${count} bytes from ${fifo}`, () => {
        const all = received();
        return all.length >= count ? all : null;
      }, timeoutMs),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
