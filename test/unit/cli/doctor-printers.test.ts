import { describe, expect, it } from 'vitest';
import { describeSystemError } from '../../../src/driver-api/system-errors.js';
import { devicePath, printerFix } from '../../../src/cli/doctor-printers.js';

/** The fix doctor gives follows the words the transports use (src/driver-api/system-errors.ts, the IPP client). */
const said = (code: string, target = '10.0.0.7:9100'): string => describeSystemError(Object.assign(new Error(code), { code }), target);

describe('printerFix', () => {
  it('tells refused from unroutable from silent from unresolvable', () => {
    expect(printerFix(said('ECONNREFUSED'), 'PRINTER_UNREACHABLE', 'socket://10.0.0.7:9100')).toMatch(/nothing listens there.*9100/);
    expect(printerFix(said('EHOSTUNREACH'), 'PRINTER_UNREACHABLE', 'socket://10.0.0.7:9100')).toMatch(/wrong IP address.*ping 10\.0\.0\.7/);
    expect(printerFix(said('ENETUNREACH'), 'PRINTER_UNREACHABLE', 'socket://10.0.0.7:9100')).toMatch(/wrong IP address/);
    expect(printerFix(said('ETIMEDOUT'), 'PRINTER_UNREACHABLE', 'socket://10.0.0.7:9100')).toMatch(/firewall/);
    expect(printerFix(said('ENOTFOUND', 'printer.lan:9100'), 'PRINTER_UNREACHABLE', 'socket://printer.lan:9100')).toMatch(/printer\.lan does not resolve/);
  });

  it('names the IPP path, the group, the other program, the cable', () => {
    expect(printerFix('Get-Printer-Attributes: client-error-not-found: no printer at this URI path (try /ipp/print)', 'PRINTER_UNREACHABLE', 'ipp://10.0.0.8/printers/x')).toMatch(/wrong IPP path/);
    expect(printerFix(said('EACCES', '/dev/ttyUSB0'), 'PRINTER_UNREACHABLE', 'serial:/dev/ttyUSB0')).toMatch(/usermod -aG dialout printgate/);
    expect(printerFix(said('EBUSY', '/dev/usb/lp0'), 'PRINTER_UNREACHABLE', 'usb:/dev/usb/lp0')).toMatch(/fuser -v \/dev\/usb\/lp0/);
    expect(printerFix(said('ENOENT', '/dev/ttyUSB0'), 'PRINTER_UNREACHABLE', 'serial:/dev/ttyUSB0')).toMatch(/plug it in/);
    expect(printerFix('no transport for gopher:', 'UNSUPPORTED_URI', 'gopher://x')).toMatch(/scheme printgate speaks/);
    expect(printerFix('something new', null, 'socket://x:9100')).toMatch(/printers probe URI/);
  });

  it('finds the device file of serial: and usb: URIs given by path', () => {
    expect(devicePath('serial:/dev/ttyUSB0?baud=19200')).toBe('/dev/ttyUSB0');
    expect(devicePath('usb:/dev/usb/lp0')).toBe('/dev/usb/lp0');
    expect(devicePath('usb:04b8:0202/ABC')).toBeNull();
    expect(devicePath('socket://10.0.0.7:9100')).toBeNull();
  });
});
