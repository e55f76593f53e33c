import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/db/migrations.js';
import { openDatabase } from '../../../src/db/open-database.js';

/**
 * Migrations that have shipped, frozen by the hash of their SQL: a gateway that ran one never runs
 * it again, so editing or renumbering it would leave boxes in the field with another schema.
 * Version 4 was reserved and never shipped; it must stay unused. Add a new migration at the end
 * and, once it has shipped in a release, its hash here.
 */
const SHIPPED: Readonly<Record<number, string>> = {
  1: '2d9056e5d1685b6ef034ce4d16ea0c20aec9f0fcdacbf02745cd0f714680be03',
  2: '3f97be6fdb48184e19ac49015c796d195a542502f7980f22d3ba648837918284',
  3: '8dfcef7dbdff0420b8f09d0884f8ae2e7d9e2400aa7a406a8a06c65b95ebfb3a',
  5: 'e3ec19040a985ac9dfd8863c1a55c384f10d1163a14d1a4513216cdc240bd9b7',
  6: 'f406b59544e9cc6ea12ca31e9bd45ef8d47600c2de00704158292425a8430be2',
};
const NEVER_USED = [4];

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('migrations', () => {
  it('keeps every shipped migration exactly as it shipped', () => {
    const now = Object.fromEntries(MIGRATIONS.filter((m) => m.version in SHIPPED).map((m) => [m.version, sha256(m.sql)]));
    expect(now).toEqual(SHIPPED);
  });

  it('numbers new migrations after the shipped ones, in order, never reusing a number', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    const newest = Math.max(...Object.keys(SHIPPED).map(Number));
    for (const m of MIGRATIONS.filter((m) => !(m.version in SHIPPED))) expect(m.version).toBeGreaterThan(newest);
    for (const version of NEVER_USED) expect(versions).not.toContain(version);
  });

  it('brings an empty database up to the newest schema and is a no-op the second time', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-migrations-'));
    try {
      const first = openDatabase({ dataDir: dir });
      const applied = first.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      first.close();
      expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      const again = openDatabase({ dataDir: dir });
      expect((again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('moves the documents kept in job rows (version 8) into job_documents (version 10), and drops the column', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-migrations-'));
    try {
      const old = openDatabase({ dataDir: dir, migrations: MIGRATIONS.filter((m) => m.version <= 9) });
      old.prepare(
        `INSERT INTO jobs (id, printer_id, name, content_type, bytes, copies, options_json, state, max_attempts, spool_file, created_at, updated_at, document)
         VALUES ('j1', 'p', 'j1', 'text/plain', 5, 1, '{}', 'pending', 3, '', 'now', 'now', ?), ('j2', 'p', 'j2', 'text/plain', 5, 1, '{}', 'pending', 3, 'f.doc', 'now', 'now', NULL)`,
      ).run(Buffer.from('hello'));
      old.close();
      const db = openDatabase({ dataDir: dir });
      expect(db.prepare('SELECT job_id, body FROM job_documents').all()).toEqual([{ job_id: 'j1', body: Buffer.from('hello') }]);
      expect((db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((column) => column.name)).not.toContain('document');
      // A job's document goes with it.
      db.prepare("DELETE FROM jobs WHERE id = 'j1'").run();
      expect(db.prepare('SELECT COUNT(*) FROM job_documents').pluck().get()).toBe(0);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every key when api_keys gets its named sha256 index (version 12), and the index still refuses a second holder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-migrations-'));
    try {
      const old = openDatabase({ dataDir: dir, migrations: MIGRATIONS.filter((m) => m.version <= 11) });
      const insert = old.prepare(
        `INSERT INTO api_keys (id, sha256, hint, name, description, permissions, groups_json, source, created_at, expires_at, disabled, revoked_at, last_used_at)
         VALUES (?, ?, 'pgk_…1234', ?, 'till 1', '["PrintToDevice"]', '["store1"]', ?, '2030-01-01T00:00:00.000Z', NULL, ?, ?, '2030-01-02T00:00:00.000Z')`,
      );
      insert.run('k_local', 'a'.repeat(64), 'local key', 'local', 0, null);
      insert.run('ck_cloud', 'b'.repeat(64), 'cloud key', 'cloud', 1, '2030-01-03T00:00:00.000Z');
      const before = old.prepare('SELECT * FROM api_keys ORDER BY id').all();
      old.close();
      const db = openDatabase({ dataDir: dir });
      expect(db.prepare('SELECT * FROM api_keys ORDER BY id').all()).toEqual(before);
      expect((db.prepare('PRAGMA index_list(api_keys)').all() as { name: string; unique: number }[]).find((index) => index.name === 'api_keys_by_sha256')?.unique).toBe(1);
      expect(() => db.prepare("UPDATE api_keys SET sha256 = ? WHERE id = 'ck_cloud'").run('a'.repeat(64))).toThrow(/UNIQUE/);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
