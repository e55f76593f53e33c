import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';

export interface SpooledDocument {
  /** File name inside the spool directory. */
  file: string;
  bytes: number;
  sha256: string;
}

/** File modification times lag Date.now() by up to a kernel tick; be generous. */
const FILE_TIME_SLACK_MS = 1000;

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Documents on disk under dataDir/spool. A document is streamed to a temporary file (never held
 * whole in memory), fsync'd, renamed and the directory fsync'd before the job is committed, so a
 * power cut after the 201 loses nothing.
 */
export class Spool {
  readonly dir: string;

  /** Wall-clock time of this Spool's first write (compared with file mtimes, so not the injected clock). */
  private firstWriteMs: number | null = null;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'spool');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Streams `source` into a new spool file; rejects with PAYLOAD_TOO_LARGE past `maxBytes`. */
  async write(source: Readable, maxBytes: number): Promise<SpooledDocument> {
    this.firstWriteMs ??= Date.now();
    const file = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}.doc`;
    const partial = path.join(this.dir, `${file}.part`);
    const handle = await open(partial, 'wx', 0o600);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of source) {
        const buffer = chunk as Buffer;
        bytes += buffer.length;
        if (bytes > maxBytes) {
          source.resume();
          throw new AppError('PAYLOAD_TOO_LARGE', `The document is larger than ${maxBytes} bytes (limits.maxDocumentBytes).`);
        }
        hash.update(buffer);
        await handle.write(buffer);
      }
      await handle.datasync(); // data and the size needed to read it back: enough for a new file
      await handle.close();
      await rename(partial, path.join(this.dir, file));
      fsyncDirectory(this.dir);
      return { file, bytes, sha256: hash.digest('hex') };
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(partial, { force: true });
      throw error;
    }
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
