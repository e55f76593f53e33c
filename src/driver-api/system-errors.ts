/**
 * The one table of what operating-system errors mean to a technician, for every transport: the
 * words to show, and whether the device is simply not there (the printer stops, its jobs wait).
 */
export interface SystemErrorMeaning {
  /** The device cannot be reached now (refused, unroutable, absent, unplugged). */
  unreachable: boolean;
  /** What to check, in words. */
  advice: string;
}

const MEANINGS: Readonly<Record<string, SystemErrorMeaning>> = {
  ECONNREFUSED: { unreachable: true, advice: 'connection refused: is the printer on, and is its port enabled?' },
  ECONNRESET: { unreachable: true, advice: 'the printer reset the connection' },
  EPIPE: { unreachable: true, advice: 'the printer closed the connection while data was being sent' },
  EHOSTUNREACH: { unreachable: true, advice: "no route to the printer: check its IP address and network cable" },
  ENETUNREACH: { unreachable: true, advice: "no route to the printer's network: check the gateway's network settings" },
  EHOSTDOWN: { unreachable: true, advice: 'the printer does not answer on the network: is it switched on?' },
  ETIMEDOUT: { unreachable: true, advice: 'the printer did not answer in time: is it switched on and on this network?' },
  ENOTFOUND: { unreachable: true, advice: "cannot resolve the printer's host name" },
  EAI_AGAIN: { unreachable: true, advice: "cannot resolve the printer's host name (DNS did not answer)" },
  ENOENT: { unreachable: true, advice: 'the device does not exist: is the printer switched on and plugged in?' },
  ENODEV: { unreachable: true, advice: 'the device went away: was it unplugged?' },
  ENXIO: { unreachable: true, advice: 'the device is not there: was it unplugged?' },
  EIO: { unreachable: true, advice: 'the device stopped answering (input/output error): check the cable and power' },
  EACCES: { unreachable: true, advice: 'no permission to open the device: add the printgate user to its group (lp for USB, dialout for serial) and restart printgate' },
  EPERM: { unreachable: true, advice: 'no permission to open the device: add the printgate user to its group (lp for USB, dialout for serial) and restart printgate' },
  EBUSY: { unreachable: true, advice: 'the device is in use by another program (a CUPS backend, another printgate?)' },
};

/** What an errno code means; unknown codes are reported with their code and are not "unreachable". */
export function systemErrorMeaning(code: string | undefined): SystemErrorMeaning | null {
  return code !== undefined ? (MEANINGS[code] ?? null) : null;
}

/** `target: advice` for an error, falling back to its code and message. */
export function describeSystemError(error: NodeJS.ErrnoException, target: string): string {
  const meaning = systemErrorMeaning(error.code);
  return meaning ? `${target}: ${meaning.advice}` : `${target}: ${error.code ?? ''} ${error.message}`.trim();
}
