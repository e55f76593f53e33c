import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { bounded, DriverError, systemErrorMeaning } from '../../src/driver-api/index.js';

/** A decoded IPP attribute value (enums come back as their keyword, e.g. job-state "completed"). */
export type IppValue = string | number | boolean | Date | null | IppValue[] | { [name: string]: IppValue };
export type IppAttributes = Record<string, IppValue>;

export type IppOperation = 'Get-Printer-Attributes' | 'Print-Job' | 'Get-Job-Attributes' | 'Cancel-Job';

export interface IppResponse {
  /** IPP status keyword: successful-ok, server-error-busy, client-error-document-format-not-supported, ... */
  statusCode: string;
  'operation-attributes-tag'?: IppAttributes;
  'printer-attributes-tag'?: IppAttributes | IppAttributes[];
  'job-attributes-tag'?: IppAttributes | IppAttributes[];
  'unsupported-attributes-tag'?: IppAttributes | IppAttributes[];
}

interface IppMessage {
  'operation-attributes-tag': IppAttributes;
  'job-attributes-tag'?: IppAttributes;
  data?: Buffer;
}

interface IppPrinterHandle {
  execute(operation: IppOperation, message: IppMessage, callback: (error: Error | null, response: IppResponse | null) => void): void;
}

interface IppModule {
  Printer: new (url: string, options: { timeout: number; agent: http.Agent }) => IppPrinterHandle;
}

/** Loaded on the first IPP request: a gateway without IPP printers never pays for it (~12 MB). */
let loaded: IppModule | null = null;
const ippModule = (): IppModule => (loaded ??= createRequire(import.meta.url)('@sealsystems/ipp') as IppModule);

export interface IppClientOptions {
  /** ipp:// or ipps:// URL of the printer, without printgate's own query options. */
  url: string;
  /** Socket inactivity limit per request. */
  timeoutMs: number;
  /** ipps only: accept a self-signed or otherwise unverifiable certificate. */
  insecure: boolean;
}

/** TLS certificate checks that fail against an ipps printer (not errno codes: the one errno table has the rest). */
const TLS_HINTS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the printer has a self-signed certificate: add ?insecure=1 to the ipps URI to accept it',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain is self-signed: add ?insecure=1 to the ipps URI to accept it',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate cannot be verified: add ?insecure=1 to the ipps URI to accept it',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host: add ?insecure=1 or use the name in the certificate',
};

/**
 * A typed promise wrapper over @sealsystems/ipp. One HTTP agent per request, so an abort tears
 * the connection down. Transport failures become PRINTER_UNREACHABLE; IPP-level failures are
 * returned as the response's statusCode for the caller to judge.
 */
export class IppClient {
  constructor(private readonly options: IppClientOptions) {}

  get secure(): boolean {
    return this.options.url.startsWith('ipps:');
  }

  execute(operation: IppOperation, message: IppMessage, signal: AbortSignal): Promise<IppResponse> {
    return bounded<IppResponse>({ signal, what: operation }, (settle) => {
      const agent = this.secure ? new https.Agent({ rejectUnauthorized: !this.options.insecure }) : new http.Agent();
      const printer = new (ippModule().Printer)(this.options.url, { timeout: this.options.timeoutMs, agent });
      printer.execute(operation, message, (error, response) => {
        if (error) settle.reject(this.unreachable(operation, error));
        else if (!response || typeof response.statusCode !== 'string') settle.reject(new DriverError('PRINTER_ERROR', `${operation}: the printer sent no IPP response`));
        else settle.resolve(response);
      });
      // However it ends (answer, error, abort), the connection goes with the agent.
      return () => agent.destroy();
    }).catch((error: unknown) => {
      throw error instanceof DriverError ? error : this.unreachable(operation, error as Error);
    });
  }

  private unreachable(operation: IppOperation, error: Error): DriverError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const target = new URL(this.options.url).host;
    const hint = TLS_HINTS[code] ?? systemErrorMeaning(code, 'ipp')?.advice ?? error.message;
    return new DriverError('PRINTER_UNREACHABLE', `${operation} to ${target}: ${hint}${code && !hint.includes(code) ? ` (${code})` : ''}`, {
      cause: error,
    });
  }
}

/** The first attribute group of `name` in a response (IPP allows repeated groups). */
export function attributeGroup(
  response: IppResponse,
  name: 'printer-attributes-tag' | 'job-attributes-tag' | 'operation-attributes-tag' | 'unsupported-attributes-tag',
): IppAttributes {
  const group = response[name];
  if (Array.isArray(group)) return group[0] ?? {};
  return group ?? {};
}

/** An attribute as a list of strings (one value or a set of values). */
export function stringsOf(value: IppValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string | number => typeof item === 'string' || typeof item === 'number').map(String);
}
