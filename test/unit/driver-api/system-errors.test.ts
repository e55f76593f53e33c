import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SerialTransport, type SerialPortLike } from '../../../drivers/transports/serial-transport.js';
import { describeSystemError, systemErrorMeaning } from '../../../src/driver-api/index.js';
import { failure } from '../../helpers/settle.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: something`), { code });

describe('the one errno table', () => {
  it('says what to check, in the words for the kind of device', () => {
    expect(describeSystemError(errno('EACCES'), '/dev/usb/lp0', 'usb')).toBe(
      '/dev/usb/lp0: no permission to read and write the device: add the printgate user to the lp group (usermod -aG lp printgate) and restart printgate',
    );
    expect(describeSystemError(errno('EACCES'), '/dev/ttyUSB0', 'serial')).toContain('dialout group (usermod -aG dialout printgate)');
    expect(describeSystemError(errno('ENOENT'), '/dev/ttyUSB0', 'serial')).toContain('(ls -l /dev/serial/by-id/)');
    expect(describeSystemError(errno('ENOENT'), '/dev/usb/lp0', 'usb')).toContain('does not exist: is the printer switched on and plugged in? (ls /dev/usb/)');
    expect(systemErrorMeaning('ECONNREFUSED', 'ipp')?.advice).toContain('IPP');
    // A kind without words of its own gets the general ones.
    expect(systemErrorMeaning('ECONNRESET', 'usb')).toEqual(systemErrorMeaning('ECONNRESET'));
  });

  it('reports an unknown code with its code and message, and never as "unreachable"', () => {
    expect(describeSystemError(errno('EWEIRD'), '10.0.0.7:9100')).toBe('10.0.0.7:9100: EWEIRD EWEIRD: something');
    expect(systemErrorMeaning('EWEIRD')).toBeNull();
    expect(systemErrorMeaning(undefined)).toBeNull();
  });
});

describe('serial errors in strerror\'s words', () => {
  it('a port the binding cannot open for lack of permission says to join dialout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-serial-'));
    const device = path.join(dir, 'ttyFAKE');
    writeFileSync(device, '');
    try {
      const port = {
        isOpen: false,
        on: () => port,
        once: () => port,
        off: () => port,
        write: () => true,
        open: (callback: (error: Error | null) => void) => callback(new Error('Error: Permission denied, cannot open ' + device)),
        drain: (callback: (error: Error | null) => void) => callback(null),
        close: (callback?: (error: Error | null) => void) => callback?.(null),
      } as unknown as SerialPortLike;
      const context = { log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }, connectTimeoutMs: 1000, confirmTimeoutMs: 1000, stallMs: 1000 };
      const transport = new SerialTransport(new URL(`serial:${device}`), context, { openPort: () => port });
      const error = await failure(transport.probe(new AbortController().signal));
      expect(error.code).toBe('PRINTER_UNREACHABLE');
      expect(error.message).toBe(`open ${device}: no permission to open the serial port: add the printgate user to the dialout group (usermod -aG dialout printgate) and restart printgate (Error: Permission denied, cannot open ${device})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
