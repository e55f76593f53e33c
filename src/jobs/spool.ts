import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';

export interface SpooledDocument {
  /** File name inside the spool directory; '' when the document is small and kept in memory (`inline`). */
  file: string;
  bytes: number;
  /** Its SHA-256 (hex) when accept() was asked for it (`hash`), else null. */
  sha256: string | null;
  /** A document no larger than the inline limit, to be kept in the job's row (no file, no fsync of its own). */
  inline?: Buffer;
}

/** Documents up to this size live in the job's row: one commit, no file, no fsync of their own. */
export const INLINE_DOCUMENT_BYTES = 64 * 1024;

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** File modification times lag Date.now() by up to a kernel tick; be generous. */
const FILE_TIME_SLACK_MS = 1000;

/** The rename of a new spool file is durable once its directory is synced (in the thread pool, off the event loop). */
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface SpooledWriter {
  write(buffer: Buffer): Promise<void>;
  commit(): Promise<string>;
  discard(): Promise<void>;
}

/**
 * Documents on disk under dataDir/spool. A large document is streamed to a temporary file (never
 * held whole in memory), fdatasync'd, renamed and the directory synced before its job is
 * committed, so a power cut after the 201 loses nothing; a small one goes in the job's row.
 */
export class Spool {
  readonly dir: string;

  /** Wall-clock time of this Spool's first write (compared with file mtimes, so not the injected clock). */
  private firstWriteMs: number | null = null;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'spool');
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Reads `source`: a document of at most `inlineBytes` stays in memory (the caller keeps it in
   * the job's row); a larger one is streamed to a new spool file, fdatasync'd, renamed and its
   * directory synced, all in the thread pool; `hash` adds its SHA-256. PAYLOAD_TOO_LARGE past `maxBytes`;
   * INSUFFICIENT_STORAGE when the disk is full.
   */
  async accept(source: Readable, maxBytes: number, inlineBytes = INLINE_DOCUMENT_BYTES, options: { hash?: boolean } = {}): Promise<SpooledDocument> {
    // Only an Idempotency-Key's replay check needs the document's hash: no hash per receipt without one.
    const hash = options.hash ? createHash('sha256') : null;
    const held: Buffer[] = [];
    let bytes = 0;
    let writer: Promise<SpooledWriter> | null = null;
    try {
      for await (const chunk of source) {
        const buffer = chunk as Buffer;
        bytes += buffer.length;
        if (bytes > maxBytes) {
          source.resume();
          throw new AppError('PAYLOAD_TOO_LARGE', `The document is larger than ${maxBytes} bytes (limits.maxDocumentBytes).`);
        }
        hash?.update(buffer);
        if (writer === null && bytes <= inlineBytes) {
          held.push(buffer);
          continue;
        }
        writer ??= this.startWriter(held.splice(0));
        await (await writer).write(buffer);
      }
      if (writer === null) return { file: '', bytes, sha256: hash?.digest('hex') ?? null, inline: Buffer.concat(held) };
      const file = await (await writer).commit();
      return { file, bytes, sha256: hash?.digest('hex') ?? null };
    } catch (error) {
      if (writer) await (await writer.catch(() => null))?.discard();
      if (isDiskFull(error)) throw new AppError('INSUFFICIENT_STORAGE', undefined, { headers: { 'Retry-After': '30' }, cause: error });
      throw error;
    }
  }

  /** Streams `source` into a new spool file (never inline); see accept(). */
  write(source: Readable, maxBytes: number): Promise<SpooledDocument> {
    return this.accept(source, maxBytes, -1);
  }

  private async startWriter(first: Buffer[]): Promise<SpooledWriter> {
    this.firstWriteMs ??= Date.now();
    const file = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}.doc`;
    const partial = path.join(this.dir, `${file}.part`);
    const handle = await open(partial, 'wx', 0o600);
    const writer: SpooledWriter = {
      write: async (buffer) => {
        await handle.write(buffer);
      },
      commit: async () => {
        await handle.datasync(); // data and the size needed to read it back: enough for a new file
        await handle.close();
        await rename(partial, path.join(this.dir, file));
        await fsyncDirectory(this.dir);
        return file;
      },
      discard: async () => {
        await handle.close().catch(() => undefined);
        await rm(partial, { force: true });
      },
    };
    for (const buffer of first) await writer.write(buffer);
    return writer;
  }

  read(file: string): Promise<Buffer> {
    return readFile(path.join(this.dir, path.basename(file)));
  }

  async remove(file: string): Promise<void> {
    await rm(path.join(this.dir, path.basename(file)), { force: true });
  }

  /**
   * Removes documents no job refers to: a crash between spooling and committing a job, or between
   * purging a job and deleting its document, leaves one behind. Meant for start-up, before this
   * Spool accepts documents; once it has, files from around or after its first write are left
   * alone (file times are coarser than Date.now()), so a document being accepted is never touched.
   */
  removeUnreferenced(referenced: ReadonlySet<string>): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.doc') || referenced.has(name)) continue;
      const file = path.join(this.dir, name);
      if (this.firstWriteMs !== null && statSync(file).mtimeMs >= this.firstWriteMs - FILE_TIME_SLACK_MS) continue;
      rmSync(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  /** Removes temporary files a crash left behind (their jobs were never committed). */
  cleanPartials(): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      if (name.endsWith('.part')) {
        rmSync(path.join(this.dir, name), { force: true });
        removed += 1;
      }
    }
    return removed;
  }
}
