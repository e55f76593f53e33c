/**
 * The one table of what operating-system errors mean to a technician, for every transport: the
 * words to show, and whether the device is simply not there (the printer stops, its jobs wait).
 * Where the thing to check depends on the kind of device (the lp group for USB, dialout for a
 * serial port, IPP on an office printer), the entry says so for that kind.
 */
export interface SystemErrorMeaning {
  /** The device cannot be reached now (refused, unroutable, absent, unplugged). */
  unreachable: boolean;
  /** What to check, in words. */
  advice: string;
}

/** What the error was met on: a network printer (socket, IPP), a USB or serial device file, a plain file. */
export type DeviceKind = 'network' | 'ipp' | 'usb' | 'serial' | 'file';

interface Entry extends SystemErrorMeaning {
  /** Better words for one kind of device. */
  for?: Partial<Record<DeviceKind, string>>;
}

const NO_PERMISSION: Entry = {
  unreachable: true,
  advice: 'no permission to open the device: add the printgate user to its group (lp for USB, dialout for serial) and restart printgate',
  for: {
    usb: 'no permission to read and write the device: add the printgate user to the lp group (usermod -aG lp printgate) and restart printgate',
    serial: 'no permission to open the serial port: add the printgate user to the dialout group (usermod -aG dialout printgate) and restart printgate',
    file: 'no permission to write there: let the printgate user write the file and its directory',
  },
};

const MEANINGS: Readonly<Record<string, Entry>> = {
  ECONNREFUSED: { unreachable: true, advice: 'connection refused: is the printer on, and is its port enabled?', for: { ipp: 'connection refused: is the printer on, and is IPP enabled on it?' } },
  ECONNRESET: { unreachable: true, advice: 'the printer reset the connection' },
  EPIPE: { unreachable: true, advice: 'the printer closed the connection while data was being sent' },
  EHOSTUNREACH: { unreachable: true, advice: 'no route to the printer: check its IP address and network cable' },
  ENETUNREACH: { unreachable: true, advice: "no route to the printer's network: check the gateway's network settings" },
  EHOSTDOWN: { unreachable: true, advice: 'the printer does not answer on the network: is it switched on?' },
  ETIMEDOUT: { unreachable: true, advice: 'the printer did not answer in time: is it switched on and on this network?' },
  ENOTFOUND: { unreachable: true, advice: "cannot resolve the printer's host name" },
  EAI_AGAIN: { unreachable: true, advice: "cannot resolve the printer's host name (DNS did not answer)" },
  ENOENT: {
    unreachable: true,
    advice: 'the device does not exist: is the printer switched on and plugged in?',
    for: {
      usb: 'the device does not exist: is the printer switched on and plugged in? (ls /dev/usb/)',
      serial: 'the serial port does not exist: is the printer or its USB-serial adapter plugged in? (ls -l /dev/serial/by-id/)',
      file: 'its directory does not exist: create it, or fix the file: URI',
    },
  },
  ENODEV: { unreachable: true, advice: 'the device went away: was it unplugged?' },
  ENXIO: { unreachable: true, advice: 'the device is not there: was it unplugged?', for: { usb: 'the device file has no device behind it (unplugged, or nothing reading it)' } },
  EIO: { unreachable: true, advice: 'the device stopped answering (input/output error): check the cable and power' },
  EACCES: NO_PERMISSION,
  EPERM: NO_PERMISSION,
  EBUSY: {
    unreachable: true,
    advice: 'the device is in use by another program (a CUPS backend, another printgate?)',
    for: { serial: 'another program holds the serial port open (a getty, ModemManager, another printgate?)' },
  },
  ENOSPC: { unreachable: true, advice: 'the disk is full', for: { file: 'the disk the file is on is full' } },
  EROFS: { unreachable: true, advice: 'the file system is read-only' },
  EISDIR: { unreachable: true, advice: 'that is a directory, not a device or file: fix the URI' },
};

/** What an errno code means (in the words for this kind of device); unknown codes are reported with their code and are not "unreachable". */
export function systemErrorMeaning(code: string | undefined, device?: DeviceKind): SystemErrorMeaning | null {
  const entry = code !== undefined ? MEANINGS[code] : undefined;
  if (!entry) return null;
  return { unreachable: entry.unreachable, advice: (device && entry.for?.[device]) ?? entry.advice };
}

/** `target: advice` for an error, falling back to its code and message. */
export function describeSystemError(error: NodeJS.ErrnoException, target: string, device?: DeviceKind): string {
  const meaning = systemErrorMeaning(error.code, device);
  return meaning ? `${target}: ${meaning.advice}` : `${target}: ${error.code ?? ''} ${error.message}`.trim();
}
