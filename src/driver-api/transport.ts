import type { DriverLogger } from './driver-logger.js';

/** What a transport knows once the bytes have left. */
export interface DeliveryReport {
  /** True when the device confirmed the job (closed the connection, acknowledged, reported completed). */
  confirmed: boolean;
  /** Why confirmation is missing or what confirmed it, for the job's stateReason. */
  note?: string;
  bytesWritten: number;
  /** The device's own result code for the job, as it sent it (CloudPRNT: "211 Paper low"); kept with the job. */
  printerCode?: string;
}

export interface TransportContext {
  log: DriverLogger;
  /** Bounded waits, in milliseconds. */
  connectTimeoutMs: number;
  /** How long to wait for the device to confirm (close, acknowledge) after the last byte. */
  confirmTimeoutMs: number;
  /** A write the device takes no byte of for this long fails with PRINTER_STALLED. */
  stallMs: number;
  /** sysfs root the USB transport reads device facts under (config devices.sysfsRoot); /sys when absent. */
  sysfsRoot?: string;
  /** /dev root of device files (config devices.devRoot); /dev when absent. */
  devRoot?: string;
}

/**
 * One open connection to a device, for several jobs back to back (the engine sends a printer's
 * queued jobs on one connection and confirms each where the device can say so). Every wait is
 * bounded: a device that stops reading fails a write with PRINTER_STALLED after stallMs.
 */
export interface TransportSession {
  /** False once the connection has dropped or been finished. */
  readonly alive: boolean;
  /** Writes bytes with back-pressure. Rejects with a DriverError (PRINTER_UNREACHABLE, PRINTER_STALLED, PRINTER_TIMEOUT on abort). */
  write(data: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Writes a status request on this connection and collects the answer (possibly partial or none) until complete or timeoutMs. */
  query(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array>;
  /**
   * Ends the connection: half-close, then wait up to `waitMs` for the device to close its side,
   * which confirms it took every byte. Resolves `confirmed: false` when it did not close in time.
   */
  finish(signal: AbortSignal, waitMs: number): Promise<{ confirmed: boolean; note: string; bytesWritten: number }>;
  /** Drops the connection at once (nothing more is sent). */
  abandon(): void;
}

/**
 * One device a transport scheme found on this box (PAPPL's model: a scheme can list its devices).
 * Facts as the device or the OS reported them, unguessed; discovery turns them into a DeviceInfo.
 */
export interface ListedDevice {
  /** The scheme that found it: usb, serial. */
  scheme: string;
  /** A device URI this transport opens, the most stable form it knows (usb:VID:PID/SERIAL over usb:/dev/usb/lp0). */
  uri: string;
  /** The device file now: /dev/usb/lp0, /dev/ttyUSB0 (changes on re-plug). */
  path: string;
  /** Four lower-case hex digits, when the device is on USB. */
  vendorId?: string;
  productId?: string;
  /** The device's own serial number (USB iSerial, or the IEEE 1284 SN field), when it has one. */
  serial?: string;
  /** Where the serial number came from: the USB descriptor or the IEEE 1284 device id. */
  serialSource?: 'usb' | 'ieee1284';
  manufacturer?: string;
  product?: string;
  /** IEEE 1284 device id as sent: MFG:…;MDL:…;CMD:…; */
  ieee1284Id?: string;
  /**
   * The physical attachment point (USB bus port such as 1-1.2, a serial port's stable by-path
   * link): stable while the device stays in that socket, different after it moves.
   */
  location?: string;
}

/** What the transport may need to know about the job whose bytes it carries. */
export interface SendMeta {
  jobId: string;
  jobName: string;
  /** Media type of the rendered bytes (IPP document-format): application/vnd.escpos, application/pdf, ... */
  documentFormat: string;
  /** When set, the bytes hold one copy and the device must be asked for this many (IPP `copies`). */
  copies?: number;
}

/** One device URI. Errors are DriverErrors whose code decides the job action. */
export interface Transport {
  readonly uri: string;
  /** Sends one job's bytes. Rejects with a DriverError. Aborting the signal abandons the send. */
  send(data: Uint8Array, signal: AbortSignal, meta: SendMeta): Promise<DeliveryReport>;
  /** A cheap reachability check used while the printer is stopped (no document bytes). */
  probe(signal: AbortSignal): Promise<void>;
  /**
   * Writes `request` on the back-channel and collects the device's answer until `isComplete` says
   * it is whole or `timeoutMs` passes; resolves with the bytes received (possibly none or partial).
   * Rejects with a DriverError (PRINTER_UNREACHABLE) when the device cannot be reached. Never part
   * of a job: a device that does not answer must not take the request for a document. Optional.
   */
  query?(request: Uint8Array, isComplete: (reply: Uint8Array) => boolean, signal: AbortSignal, timeoutMs: number): Promise<Uint8Array>;
  /** Opens a connection for several jobs (see TransportSession); absent where every job is its own exchange (IPP, files, CloudPRNT). */
  openSession?(signal: AbortSignal): Promise<TransportSession>;
  /** What the device says about itself (IPP attributes, ...), for `printers probe`; optional. */
  describe?(signal: AbortSignal): Promise<object | null>;
  close(): Promise<void>;
}

export interface TransportFactory {
  /** URI schemes this factory opens, without the colon. */
  readonly schemes: readonly string[];
  /** The language `language: auto` picks for a printer on this transport when its profile names none (ipp: pdf). */
  readonly defaultLanguage?: string;
  create(uri: URL, context: TransportContext): Transport;
  /**
   * The devices of this scheme present now (local schemes: usb, serial); optional. Never opens or
   * writes a device; bounded in time. Rejects with a DriverError saying why when the OS cannot
   * tell (udevadm missing, ...): the caller logs it once and treats it as no devices.
   */
  list?(context: TransportContext): Promise<ListedDevice[]>;
}

/** One job handed to a CloudPRNT printer: the bytes in the printer's language and their media type. */
export interface CloudPrntDelivery {
  jobId: string;
  bytes: Uint8Array;
  mediaType: string;
}

/**
 * The server side of Star CloudPRNT (the printer polls the gateway), injected into the cloudprnt
 * transport by main.ts: the transport hands a job over and waits for the printer's verdict.
 */
export interface CloudPrntMailbox {
  /**
   * Offers the job to the printer's next poll and resolves with the result code of its DELETE
   * ("200 OK", "520 …"). Rejects with PRINTER_UNREACHABLE when the printer stops polling.
   */
  deliver(mac: string, delivery: CloudPrntDelivery, signal: AbortSignal): Promise<string>;
  /** Throws PRINTER_UNREACHABLE unless the printer has polled recently. */
  reachable(mac: string): void;
}
