import { randomUUID } from 'node:crypto';

/** The job template attributes a Create-Job carried, applied when its document comes. */
export interface JobTemplate {
  copies?: number;
  fit?: 'width';
}

/** One IPP job: its IPP number, and the printgate job once its document was accepted. */
export interface IppJob {
  id: number;
  printerId: string;
  uuid: string;
  name: string;
  user: string;
  createdAt: Date;
  template: JobTemplate;
  /** The printgate job (null until Send-Document brought the document). */
  printgateId: string | null;
  /** A Create-Job that never got its document: canceled by the client or aborted at the time-out. */
  closed: 'canceled' | 'aborted' | null;
  /** Send-Document with last-document false came: a later one may close the job without data. */
  awaitingLast: boolean;
}

/** Where job ids are kept between runs, so a restart never hands out an id a client still holds. */
export interface JobIdStore {
  load(): number | null;
  save(next: number): void;
}

const KEEP_PER_PRINTER = 500;
/** Ids are reserved in blocks: the store is written once per block, not once per job. */
const ID_BLOCK = 100;

/**
 * The IPP jobs of this run: IPP numbers its jobs with integers (job-id) and creates a job before its
 * document arrives (Create-Job); printgate jobs have UUIDs and exist only with their document. The
 * table links the two and keeps the last jobs of each printer. job-ids continue across restarts
 * (JobIdStore); a job of an earlier run is not found (its printgate job is in /api/v1/jobs).
 */
export class IppJobTable {
  private readonly jobs = new Map<number, IppJob>();
  private readonly byUuid = new Map<string, number>();
  private next: number;
  private reservedUpTo: number;

  constructor(private readonly ids: JobIdStore) {
    this.next = Math.max(1, ids.load() ?? 1);
    this.reservedUpTo = this.next - 1;
  }

  private allocate(): number {
    if (this.next > this.reservedUpTo) {
      this.reservedUpTo = this.next + ID_BLOCK - 1;
      this.ids.save(this.reservedUpTo + 1);
    }
    const id = this.next;
    this.next = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }

  create(input: { printerId: string; uuid?: string; name: string; user: string; createdAt: Date; template: JobTemplate }): IppJob {
    const job: IppJob = {
      id: this.allocate(),
      printerId: input.printerId,
      uuid: input.uuid ?? `urn:uuid:${randomUUID()}`,
      name: input.name,
      user: input.user,
      createdAt: input.createdAt,
      template: input.template,
      printgateId: null,
      closed: null,
      awaitingLast: false,
    };
    this.jobs.set(job.id, job);
    this.byUuid.set(job.uuid, job.id);
    this.trim(job.printerId);
    return job;
  }

  get(id: number): IppJob | undefined {
    return this.jobs.get(id);
  }

  /** The job a client created with this job-uuid (a retry of the same request). */
  byJobUuid(uuid: string): IppJob | undefined {
    const id = this.byUuid.get(uuid);
    return id === undefined ? undefined : this.jobs.get(id);
  }

  /** The printer's jobs, oldest first. */
  ofPrinter(printerId: string): IppJob[] {
    return [...this.jobs.values()].filter((job) => job.printerId === printerId);
  }

  remove(job: IppJob): void {
    this.jobs.delete(job.id);
    if (this.byUuid.get(job.uuid) === job.id) this.byUuid.delete(job.uuid);
  }

  private trim(printerId: string): void {
    const mine = this.ofPrinter(printerId);
    for (const job of mine.slice(0, Math.max(0, mine.length - KEEP_PER_PRINTER))) this.remove(job);
  }
}
