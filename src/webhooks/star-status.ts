import type { PrinterStatus } from '../printers/printer-registry.js';

/** Star's 13 device status flags, in Star's order. */
export interface StarStatus {
  Online: boolean;
  CoverOpen: boolean;
  CompulsionSwitch: boolean;
  OverTemperature: boolean;
  Recoverable: boolean;
  CutterError: boolean;
  MechanicalError: boolean;
  ReceiveBufferOverflow: boolean;
  BlackMarkError: boolean;
  PresenterPaperJam: boolean;
  VoltageError: boolean;
  PaperEmpty: boolean;
  PaperLow: boolean;
}

/** Printer state reasons (IPP vocabulary, plus the receipt-printer ones drivers report) behind each flag. */
const REASONS: Readonly<Record<Exclude<keyof StarStatus, 'Online' | 'Recoverable'>, readonly string[]>> = {
  CoverOpen: ['cover-open', 'door-open'],
  CompulsionSwitch: ['drawer-open', 'compulsion-switch'],
  OverTemperature: ['over-temperature', 'overtemperature'],
  CutterError: ['cutter-error', 'cutter-failure'],
  MechanicalError: ['mechanical-error'],
  ReceiveBufferOverflow: ['receive-buffer-overflow'],
  BlackMarkError: ['black-mark-error'],
  PresenterPaperJam: ['media-jam', 'presenter-paper-jam'],
  VoltageError: ['voltage-error'],
  PaperEmpty: ['media-empty'],
  PaperLow: ['media-low'],
};

const UNRECOVERABLE = ['cutter-error', 'cutter-failure', 'mechanical-error', 'voltage-error'];

/** The flags for a printer status; flags no reason reports are false. Online = not stopped. */
export function starStatus(status: PrinterStatus): StarStatus {
  const has = (names: readonly string[]): boolean => names.some((name) => status.reasons.includes(name));
  return {
    Online: status.state !== 'stopped',
    CoverOpen: has(REASONS.CoverOpen),
    CompulsionSwitch: has(REASONS.CompulsionSwitch),
    OverTemperature: has(REASONS.OverTemperature),
    Recoverable: !has(UNRECOVERABLE),
    CutterError: has(REASONS.CutterError),
    MechanicalError: has(REASONS.MechanicalError),
    ReceiveBufferOverflow: has(REASONS.ReceiveBufferOverflow),
    BlackMarkError: has(REASONS.BlackMarkError),
    PresenterPaperJam: has(REASONS.PresenterPaperJam),
    VoltageError: has(REASONS.VoltageError),
    PaperEmpty: has(REASONS.PaperEmpty),
    PaperLow: has(REASONS.PaperLow),
  };
}
