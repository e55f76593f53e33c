import { waitFor } from '../helpers/wait-for.js';

/**
 * A Star CloudPRNT printer, simulated by a real HTTP client that follows Star's protocol step by
 * step: POST polls with its MAC and status, answers client actions in an immediate extra POST,
 * GETs an announced job in a media type it picks, and DELETEs it with its result code.
 */
export interface PollAnswer {
  jobReady: boolean;
  mediaTypes?: string[];
  jobToken?: string;
  deleteMethod?: string;
  clientAction?: { request: string; options: string }[];
}

export interface PrinterSetup {
  clientType?: string;
  paperWidth?: string;
  printWidth?: string;
  pollSeconds?: number;
  encodings?: string;
  /** HTTP Basic user:password, as set in the printer's CloudPRNT settings (default: SimulatedStarPrinter.defaultKey; null: none). */
  basicAuth?: string | null;
}

export class SimulatedStarPrinter {
  /** The device key simulated printers send as their CloudPRNT password unless told otherwise (new groups require one). */
  static defaultKey = '';

  statusCode = '200%20OK';
  status = '23 86 00 00 00 00 00 00 00';
  /** The client actions the server asked for, in order. */
  readonly asked: string[] = [];

  constructor(
    private readonly url: string,
    readonly mac: string,
    private readonly setup: PrinterSetup = {},
  ) {}

  /** One poll as the printer sends it; answers client actions at once, as printers do. */
  async poll(): Promise<{ status: number; answer: PollAnswer }> {
    const first = await this.post({ printerMAC: this.mac, statusCode: this.statusCode, status: this.status, printingInProgress: false });
    if (first.status !== 200 || !first.answer.clientAction) return first;
    this.asked.push(...first.answer.clientAction.map(({ request }) => request));
    const results = first.answer.clientAction.map(({ request }) => ({ request, result: this.clientActionResult(request) }));
    return this.post({ printerMAC: this.mac, statusCode: this.statusCode, status: this.status, printingInProgress: false, clientAction: results });
  }

  /** Polls until a job is announced (bounded). */
  async pollUntilJob(): Promise<PollAnswer> {
    return waitFor('a CloudPRNT job to be announced', async () => {
      const { answer } = await this.poll();
      return answer.jobReady ? answer : null;
    }, 10_000, 50);
  }

  async fetchJob(type: string, token?: string): Promise<Response> {
    const query = new URLSearchParams({ uid: '', type, mac: this.mac, ...(token ? { token } : {}) });
    return fetch(`${this.url}?${query}`, { headers: this.authHeaders() });
  }

  async confirm(code: string, token?: string): Promise<Response> {
    const query = new URLSearchParams({ mac: this.mac, code, ...(token ? { token } : {}) });
    return fetch(`${this.url}?${query}`, { method: 'DELETE', headers: this.authHeaders() });
  }

  /** Star's GET form of the confirmation (`&delete`), for firmware told `deleteMethod: "GET"`. */
  async confirmWithGet(code: string, token?: string): Promise<Response> {
    const query = new URLSearchParams({ mac: this.mac, code, ...(token ? { token } : {}) });
    return fetch(`${this.url}?${query}&delete`, { headers: this.authHeaders() });
  }

  private async post(body: object): Promise<{ status: number; answer: PollAnswer }> {
    const res = await fetch(this.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...this.authHeaders() }, body: JSON.stringify(body) });
    return { status: res.status, answer: (await res.json()) as PollAnswer };
  }

  private authHeaders(): Record<string, string> {
    const basic = this.setup.basicAuth === undefined ? `printer:${SimulatedStarPrinter.defaultKey}` : this.setup.basicAuth;
    return basic ? { Authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {};
  }

  private clientActionResult(request: string): unknown {
    switch (request) {
      case 'ClientType':
        return this.setup.clientType ?? 'Star mC-Print3';
      case 'ClientVersion':
        return '3.6.0';
      case 'PageInfo':
        return { paperWidth: this.setup.paperWidth ?? '80', printWidth: this.setup.printWidth ?? '72', horizontalResolution: '8', verticalResolution: '8' };
      case 'GetPollInterval':
        return String(this.setup.pollSeconds ?? 1);
      case 'Encodings':
        return this.setup.encodings ?? 'application/vnd.star.starprnt;image/png;text/plain;application/octet-stream';
      default:
        return '';
    }
  }
}
