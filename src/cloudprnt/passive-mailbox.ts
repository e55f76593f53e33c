import type { CloudPrntMailbox } from '../driver-api/transport.js';
import { AppError } from '../errors/app-error.js';

const MESSAGE =
  'a CloudPRNT printer polls the gateway, it cannot be probed from here: its state and lastSeenAt show in `printers list` (or GET /api/v1/printers) while printgate serve runs';

/** The CloudPRNT side outside a running gateway (`printers probe`, `doctor`): nothing polls, so nothing is reachable. */
export const PASSIVE_CLOUDPRNT_MAILBOX: CloudPrntMailbox = {
  deliver: async () => {
    throw new AppError('PRINTER_UNREACHABLE', MESSAGE);
  },
  reachable: () => {
    throw new AppError('PRINTER_UNREACHABLE', MESSAGE);
  },
};
