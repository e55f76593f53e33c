import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/jobs/spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pg-spool-'));
  dirs.push(dir);
  return dir;
}

describe('spool', () => {
  it('removes documents of an earlier run that no job refers to, and nothing else', async () => {
    const dir = dataDir();
    const earlier = new Spool(dir);
    const kept = await earlier.write(Readable.from([Buffer.from('kept')]), 100);
    const orphan = await earlier.write(Readable.from([Buffer.from('spooled, then the crash')]), 100);
    const past = new Date(Date.now() - 60_000);
    for (const file of [kept.file, orphan.file]) utimesSync(path.join(earlier.dir, file), past, past);
    writeFileSync(path.join(earlier.dir, 'README'), 'not a document');

    const restarted = new Spool(dir);
    const fresh = await restarted.write(Readable.from([Buffer.from('accepted by this run')]), 100);
    expect(restarted.removeUnreferenced(new Set([kept.file]))).toBe(1);
    expect(existsSync(path.join(dir, 'spool', orphan.file))).toBe(false);
    expect(existsSync(path.join(dir, 'spool', kept.file))).toBe(true);
    // A document this run spooled may belong to a request still being committed.
    expect(existsSync(path.join(dir, 'spool', fresh.file))).toBe(true);
    expect(existsSync(path.join(dir, 'spool', 'README'))).toBe(true);
  });

  it('at start-up, before it accepted anything, takes even a moments-old unreferenced document for an orphan', async () => {
    const dir = dataDir();
    const crashed = new Spool(dir);
    const orphan = await crashed.write(Readable.from([Buffer.from('spooled just before a kill -9')]), 100);
    const restarted = new Spool(dir);
    expect(restarted.removeUnreferenced(new Set())).toBe(1);
    expect(existsSync(path.join(dir, 'spool', orphan.file))).toBe(false);
  });
});
