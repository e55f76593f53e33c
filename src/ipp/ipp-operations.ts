import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Job } from '../jobs/job-store.js';
import type { JobsService } from '../jobs/jobs-service.js';
import { GROUP, JOB_STATE, OPERATION, TAG, type StatusName } from './ipp-constants.js';
import { IppRequestError } from './ipp-decoder.js';
import { identifyBytes } from './identify-job.js';
import { ippJobState, jobAttributes, type JobClock } from './ipp-job-attributes.js';
import type { IppJob, IppJobTable } from './ipp-job-table.js';
import { optionSource, readJobTemplate } from './ipp-job-template.js';
import { findAttribute, type IppAttribute, type IppGroup, type IppMessage } from './ipp-message.js';
import { printerAttributes, type PrinterAddress, type PrinterClock } from './ipp-printer-attributes.js';
import type { IppPrinterFacts, IppPrinterView } from './ipp-printer-view.js';
import { decompressed, peek, sniffFormat } from './ipp-request-reader.js';
import { selectAttributes } from './requested-attributes.js';

/** One request, addressed to one printer, from a client that passed access control. */
export interface OperationRequest {
  message: IppMessage;
  document: Readable;
  /** Content-Length less the attributes, when the client sent one. */
  declaredBytes: number | undefined;
  view: IppPrinterView;
  facts: IppPrinterFacts;
  printerUri: string;
  address: PrinterAddress;
  clock: PrinterClock & JobClock;
  keyId: string | null;
  /** The authenticated user, else requesting-user-name. */
  user: string;
}

export interface OperationResult {
  status: StatusName;
  message?: string;
  groups: IppGroup[];
}

export interface IppOperationsDeps {
  jobs: Pick<JobsService, 'submit' | 'get' | 'cancel'>;
  table: IppJobTable;
  log: Logger;
  /** How long a document's first bytes may take (auto-sensing reads them before submitting). */
  peekTimeoutMs: number;
}

const op = (message: IppMessage): IppGroup | undefined => message.groups.find((group) => group.tag === GROUP.operation);
const jobGroup = (message: IppMessage): IppGroup | undefined => message.groups.find((group) => group.tag === GROUP.job);

function stringAttr(group: IppGroup | undefined, name: string): string | undefined {
  const value = findAttribute(group, name)?.values[0];
  return value && typeof value.value === 'string' ? value.value : undefined;
}

function booleanAttr(group: IppGroup | undefined, name: string): boolean | undefined {
  const value = findAttribute(group, name)?.values[0];
  return value?.tag === TAG.boolean ? (value.value as boolean) : undefined;
}

function integerAttr(group: IppGroup | undefined, name: string): number | undefined {
  const value = findAttribute(group, name)?.values[0];
  return value?.tag === TAG.integer ? (value.value as number) : undefined;
}

const result = (status: StatusName, groups: IppGroup[] = [], message?: string): OperationResult => ({ status, groups, ...(message ? { message } : {}) });
const jobGroupOf = (attributes: IppAttribute[]): IppGroup => ({ tag: GROUP.job, attributes });
const unsupportedGroup = (attributes: IppAttribute[]): IppGroup[] => (attributes.length > 0 ? [{ tag: GROUP.unsupported, attributes }] : []);

/**
 * The IPP operations of one printer (RFC 8011, PWG 5100.5/5100.13): every document becomes a
 * printgate job through JobsService.submit (source ipp), so it is queued durably, rendered,
 * announced by webhooks and events like any other; the job's IPP state is read from printgate.
 */
export class IppOperations {
  constructor(private readonly deps: IppOperationsDeps) {}

  async run(request: OperationRequest): Promise<OperationResult> {
    const code = request.message.code;
    switch (code) {
      case OPERATION['Print-Job']:
        return this.printJob(request);
      case OPERATION['Validate-Job']:
        return this.validateJob(request);
      case OPERATION['Create-Job']:
        return this.createJob(request);
      case OPERATION['Send-Document']:
        return this.sendDocument(request);
      case OPERATION['Cancel-Job']:
        return this.cancelJob(request);
      case OPERATION['Cancel-My-Jobs']:
        return this.cancelMyJobs(request);
      case OPERATION['Close-Job']:
        return this.closeJob(request);
      case OPERATION['Get-Job-Attributes']:
        return this.getJobAttributes(request);
      case OPERATION['Get-Jobs']:
        return this.getJobs(request);
      case OPERATION['Get-Printer-Attributes']:
        return this.getPrinterAttributes(request);
      case OPERATION['Identify-Printer']:
        return request.facts.canIdentify ? this.identify(request) : result('server-error-operation-not-supported', [], 'this printer has no buzzer to identify itself with');
      default:
        return result('server-error-operation-not-supported', [], `operation 0x${code.toString(16).padStart(4, '0')} is not supported`);
    }
  }

  private getPrinterAttributes(request: OperationRequest): OperationResult {
    const all = printerAttributes(request.view, request.facts, request.address, request.clock);
    const requested = findAttribute(op(request.message), 'requested-attributes');
    return result('successful-ok', [{ tag: GROUP.printer, attributes: selectAttributes(all, requested) }]);
  }

  /** The document format the client names, checked against the printer's; and compression. */
  private documentFormat(request: OperationRequest): { format: string; compression: string } {
    const group = op(request.message);
    const format = (stringAttr(group, 'document-format') ?? 'application/octet-stream').toLowerCase();
    if (!request.facts.formats.includes(format.split(';')[0]!.trim())) {
      throw new IppRequestError('client-error-document-format-not-supported', `${format} cannot be printed here; document-format-supported lists ${request.facts.formats.join(', ')}`, [
        { name: 'document-format', values: [{ tag: TAG.mimeMediaType, value: format }] },
      ]);
    }
    const compression = stringAttr(group, 'compression') ?? 'none';
    if (!['none', 'gzip', 'deflate'].includes(compression)) {
      throw new IppRequestError('client-error-compression-not-supported', `compression ${compression} is not supported (none, gzip, deflate)`, [
        { name: 'compression', values: [{ tag: TAG.keyword, value: compression }] },
      ]);
    }
    return { format, compression };
  }

  private template(request: OperationRequest) {
    const fidelity = booleanAttr(op(request.message), 'ipp-attribute-fidelity') ?? false;
    return readJobTemplate(jobGroup(request.message), request.facts, fidelity);
  }

  private validateJob(request: OperationRequest): OperationResult {
    this.documentFormat(request);
    const { unsupported } = this.template(request);
    return result(unsupported.length > 0 ? 'successful-ok-ignored-or-substituted-attributes' : 'successful-ok', unsupportedGroup(unsupported));
  }

  private newJob(request: OperationRequest, template: IppJob['template']): IppJob {
    const group = op(request.message);
    const uuid = stringAttr(group, 'job-uuid') ?? stringAttr(jobGroup(request.message), 'job-uuid');
    return this.deps.table.create({
      printerId: request.view.printer.id,
      ...(uuid && /^urn:uuid:[0-9a-f-]{36}$/i.test(uuid) ? { uuid: uuid.toLowerCase() } : {}),
      name: stringAttr(group, 'job-name') ?? stringAttr(group, 'document-name') ?? '',
      user: request.user,
      createdAt: request.clock.now,
      template,
    });
  }

  /** A retry of a job the client already created here (same job-uuid): the first answer again. */
  private replay(request: OperationRequest): IppJob | undefined {
    const uuid = stringAttr(op(request.message), 'job-uuid') ?? stringAttr(jobGroup(request.message), 'job-uuid');
    const earlier = uuid ? this.deps.table.byJobUuid(uuid.toLowerCase()) : undefined;
    return earlier && earlier.printerId === request.view.printer.id ? earlier : undefined;
  }

  private async printJob(request: OperationRequest): Promise<OperationResult> {
    const { format, compression } = this.documentFormat(request);
    const { template, unsupported } = this.template(request);
    const earlier = this.replay(request);
    if (earlier?.printgateId) {
      request.document.resume();
      return this.jobAnswer(request, earlier, unsupported);
    }
    const job = this.newJob(request, template);
    try {
      await this.submit(request, job, format, compression);
    } catch (error) {
      this.deps.table.remove(job);
      throw error;
    }
    return this.jobAnswer(request, job, unsupported);
  }

  private createJob(request: OperationRequest): OperationResult {
    const { template, unsupported } = this.template(request);
    const job = this.replay(request) ?? this.newJob(request, template);
    return this.jobAnswer(request, job, unsupported);
  }

  private async sendDocument(request: OperationRequest): Promise<OperationResult> {
    const group = op(request.message);
    const job = this.targetJob(request);
    const last = booleanAttr(group, 'last-document');
    if (last === undefined) throw new IppRequestError('client-error-bad-request', 'Send-Document needs last-document');
    const { format, compression } = this.documentFormat(request);
    const state = ippJobState(job, null, request.clock.now);
    if (job.printgateId) {
      // One document per job: a closing Send-Document without data after last-document=false is fine.
      const { head } = await peek(request.document, 1, this.deps.peekTimeoutMs);
      if (head.length === 0 && last && job.awaitingLast) {
        job.awaitingLast = false;
        return this.jobAnswer(request, job, []);
      }
      throw new IppRequestError('server-error-multiple-document-jobs-not-supported', 'this printer takes one document per job');
    }
    if (state.state !== JOB_STATE.pending) throw new IppRequestError('client-error-not-possible', `job ${job.id} is ${state.message}`);
    await this.submit(request, job, format, compression);
    job.awaitingLast = !last;
    return this.jobAnswer(request, job, []);
  }

  /** The document through printgate's one submit use case; auto-sensing reads its first bytes. */
  private async submit(request: OperationRequest, job: IppJob, format: string, compression: string): Promise<Job> {
    let body: Readable = decompressed(request.document, compression);
    let contentType = format;
    if (format === 'application/octet-stream') {
      const peeked = await peek(body, 16, this.deps.peekTimeoutMs);
      body = peeked.stream;
      const sensed = sniffFormat(peeked.head);
      contentType = sensed !== 'application/octet-stream' || request.view.acceptedTypes.includes(sensed) ? sensed : request.view.vendorType;
      if (!request.view.acceptedTypes.includes(contentType)) {
        body.resume();
        throw new IppRequestError('client-error-document-format-not-supported', `the document looks like ${contentType}, which this printer cannot print`);
      }
    }
    const submitted = await this.deps.jobs.submit({
      printer: request.view.printer,
      contentType,
      declaredBytes: compression === 'none' ? request.declaredBytes : undefined,
      body,
      options: optionSource(job.name, job.template),
      keyId: request.keyId,
      // job-uuid is the client's handle for a retry: printgate keeps it per key (IPP's own table does it per run).
      ...(request.keyId ? { idempotencyKey: job.uuid } : {}),
      source: 'ipp',
      // One line for the job: the use case's, with the IPP job id beside it.
      logAccepted: (fields) => this.deps.log.info(Object.assign(fields, { ippJobId: job.id }), 'job accepted'),
    });
    job.printgateId = submitted.job.id;
    if (submitted.replayed) this.deps.log.info({ printerId: job.printerId, ippJobId: job.id, jobId: submitted.job.id }, 'ipp job replayed: its job-uuid was accepted before');
    return submitted.job;
  }

  /** The printgate job behind an IPP job, or null while its document has not come (or it was purged). */
  private printgateJob(job: IppJob): Job | null {
    if (!job.printgateId) return null;
    try {
      return this.deps.jobs.get(job.printgateId);
    } catch {
      return null;
    }
  }

  private targetJob(request: OperationRequest): IppJob {
    const group = op(request.message);
    let id = integerAttr(group, 'job-id');
    const jobUri = stringAttr(group, 'job-uri');
    if (id === undefined && jobUri) id = Number(/\/(\d+)$/.exec(jobUri)?.[1]);
    if (id === undefined || !Number.isInteger(id)) throw new IppRequestError('client-error-bad-request', 'the operation needs job-id (with printer-uri) or job-uri');
    const job = this.deps.table.get(id);
    if (!job || job.printerId !== request.view.printer.id) throw new IppRequestError('client-error-not-found', `no job ${id} on this printer (jobs of an earlier run are in /api/v1/jobs)`);
    return job;
  }

  private jobAnswer(request: OperationRequest, job: IppJob, unsupported: IppAttribute[]): OperationResult {
    const all = jobAttributes(job, this.printgateJob(job), request.printerUri, request.clock);
    const brief = all.filter((attribute) => ['job-id', 'job-uri', 'job-uuid', 'job-state', 'job-state-reasons', 'job-state-message'].includes(attribute.name));
    return result(unsupported.length > 0 ? 'successful-ok-ignored-or-substituted-attributes' : 'successful-ok', [...unsupportedGroup(unsupported), jobGroupOf(brief)]);
  }

  private cancel(job: IppJob, request: OperationRequest): StatusName {
    const state = ippJobState(job, this.printgateJob(job), request.clock.now).state;
    if (state >= JOB_STATE.canceled) return 'client-error-not-possible';
    if (!job.printgateId) {
      job.closed = 'canceled';
      return 'successful-ok';
    }
    try {
      this.deps.jobs.cancel(job.printgateId);
      return 'successful-ok';
    } catch {
      return 'client-error-not-possible';
    }
  }

  private cancelJob(request: OperationRequest): OperationResult {
    const job = this.targetJob(request);
    const status = this.cancel(job, request);
    return result(status, [], status === 'successful-ok' ? undefined : `job ${job.id} has already finished`);
  }

  private cancelMyJobs(request: OperationRequest): OperationResult {
    const mine = this.deps.table.ofPrinter(request.view.printer.id).filter((job) => job.user === request.user);
    for (const job of mine) this.cancel(job, request);
    return result('successful-ok');
  }

  private closeJob(request: OperationRequest): OperationResult {
    const job = this.targetJob(request);
    if (!job.printgateId && job.closed === null) job.closed = 'aborted';
    job.awaitingLast = false;
    return this.jobAnswer(request, job, []);
  }

  private getJobAttributes(request: OperationRequest): OperationResult {
    const job = this.targetJob(request);
    const requested = findAttribute(op(request.message), 'requested-attributes');
    const all = jobAttributes(job, this.printgateJob(job), request.printerUri, request.clock);
    return result('successful-ok', [jobGroupOf(selectAttributes(all, requested))]);
  }

  private getJobs(request: OperationRequest): OperationResult {
    const group = op(request.message);
    const which = stringAttr(group, 'which-jobs') ?? 'not-completed';
    if (!['completed', 'not-completed', 'all'].includes(which)) {
      return result('client-error-attributes-or-values-not-supported', unsupportedGroup([{ name: 'which-jobs', values: [{ tag: TAG.keyword, value: which }] }]));
    }
    const limit = integerAttr(group, 'limit') ?? Number.MAX_SAFE_INTEGER;
    const myJobs = booleanAttr(group, 'my-jobs') ?? false;
    const requested = findAttribute(group, 'requested-attributes') ?? { name: 'requested-attributes', values: [{ tag: TAG.keyword, value: 'job-id' }, { tag: TAG.keyword, value: 'job-uri' }] };
    const groups: IppGroup[] = [];
    const jobs = this.deps.table.ofPrinter(request.view.printer.id).reverse();
    for (const job of jobs) {
      if (groups.length >= limit) break;
      if (myJobs && job.user !== request.user) continue;
      const printgate = this.printgateJob(job);
      const done = ippJobState(job, printgate, request.clock.now).state >= JOB_STATE.canceled;
      if ((which === 'completed' && !done) || (which === 'not-completed' && done)) continue;
      groups.push(jobGroupOf(selectAttributes(jobAttributes(job, printgate, request.printerUri, request.clock), requested)));
    }
    return result('successful-ok', groups);
  }

  /** A beep of the printer's buzzer, as a raw job through the same queue. */
  private async identify(request: OperationRequest): Promise<OperationResult> {
    request.document.resume();
    const bytes = identifyBytes(request.view.printer.language)!;
    await this.deps.jobs.submit({
      printer: request.view.printer,
      contentType: request.view.vendorType,
      body: Readable.from([bytes]),
      options: optionSource('Identify-Printer', {}),
      keyId: request.keyId,
      source: 'ipp',
    });
    return result('successful-ok');
  }
}
