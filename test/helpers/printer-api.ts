import { expect } from 'vitest';
import { waitFor } from './wait-for.js';

export interface JobView {
  id: string;
  state: string;
  stateReason: string | null;
  attempts: number;
}

export interface PrinterView {
  id: string;
  state: string;
  reasons: string[];
}

export type StarStatus = Record<string, boolean>;

export interface PrinterApiTarget {
  url: string;
  key: string;
  group: string;
  appId: string;
  printerId: string;
}

/** One printer of a running gateway as a client sees it: print by the Star API, read jobs and status back. */
export function printerApi(target: PrinterApiTarget) {
  const { url, group, appId, printerId } = target;
  const headers = { authorization: `Bearer ${target.key}` };
  const api = {
    async print(body: string): Promise<string> {
      const answer = await fetch(`${url}/v1/a/${group}/d/${appId}/q`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body });
      expect(answer.status).toBe(201);
      return ((await answer.json()) as { JobId: string }).JobId;
    },
    async job(id: string): Promise<JobView> {
      return (await (await fetch(`${url}/api/v1/jobs/${id}`, { headers })).json()) as JobView;
    },
    async printer(): Promise<PrinterView> {
      return (await (await fetch(`${url}/api/v1/printers/${printerId}`, { headers })).json()) as PrinterView;
    },
    async release(id: string): Promise<Response> {
      return fetch(`${url}/api/v1/jobs/${id}/release`, { method: 'POST', headers });
    },
    async cancel(id: string): Promise<number> {
      return (await fetch(`${url}/api/v1/jobs/${id}`, { method: 'DELETE', headers })).status;
    },
    async star(): Promise<StarStatus> {
      return ((await (await fetch(`${url}/v1/a/${group}/d/${appId}`, { headers })).json()) as { Status: StarStatus }).Status;
    },
    waitJob(id: string, what: string, test: (job: JobView) => boolean, timeoutMs = 10_000): Promise<JobView> {
      return waitFor(`job ${what}`, async () => {
        const job = await api.job(id);
        return test(job) ? job : null;
      }, timeoutMs);
    },
    waitPrinter(what: string, test: (view: PrinterView) => boolean): Promise<PrinterView> {
      return waitFor(`printer ${what}`, async () => {
        const view = await api.printer();
        return test(view) ? view : null;
      });
    },
  };
  return api;
}
