/**
 * Ordered schema migrations. Append only: never edit a migration that has shipped.
 * Each runs once, in its own transaction, recorded in schema_migrations.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'keys, groups, printers, jobs',
    sql: `
      CREATE TABLE api_keys (
        id            TEXT PRIMARY KEY,
        sha256        TEXT NOT NULL UNIQUE,
        hint          TEXT NOT NULL,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        permissions   TEXT NOT NULL,
        groups_json   TEXT NOT NULL DEFAULT '[]',
        source        TEXT NOT NULL CHECK (source IN ('local', 'cloud')),
        created_at    TEXT NOT NULL,
        expires_at    TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0,
        revoked_at    TEXT,
        last_used_at  TEXT
      );

      CREATE TABLE device_groups (
        match_path              TEXT PRIMARY KEY,
        name                    TEXT NOT NULL,
        owner                   TEXT NOT NULL DEFAULT 'printgate',
        created_at              TEXT NOT NULL,
        enabled                 INTEGER NOT NULL DEFAULT 1,
        auto_create_queue       INTEGER NOT NULL DEFAULT 0,
        require_device_key      INTEGER NOT NULL DEFAULT 0,
        contact_email           TEXT NOT NULL DEFAULT '',
        contact_name            TEXT NOT NULL DEFAULT '',
        auto_buzz_before        INTEGER NOT NULL DEFAULT 0,
        auto_buzz_after         INTEGER NOT NULL DEFAULT 0,
        copies                  INTEGER NOT NULL DEFAULT 1,
        auto_claim_bcr          INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE printers (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        group_path    TEXT NOT NULL REFERENCES device_groups(match_path),
        app_id        TEXT NOT NULL UNIQUE,
        uri           TEXT NOT NULL,
        language      TEXT NOT NULL,
        source        TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        last_seen_at  TEXT
      );

      CREATE TABLE jobs (
        seq               INTEGER PRIMARY KEY AUTOINCREMENT,
        id                TEXT NOT NULL UNIQUE,
        printer_id        TEXT NOT NULL,
        name              TEXT NOT NULL,
        content_type      TEXT NOT NULL,
        bytes             INTEGER NOT NULL,
        copies            INTEGER NOT NULL,
        options_json      TEXT NOT NULL,
        state             TEXT NOT NULL,
        state_reason      TEXT,
        attempts          INTEGER NOT NULL DEFAULT 0,
        max_attempts      INTEGER NOT NULL,
        warnings_json     TEXT NOT NULL DEFAULT '[]',
        spool_file        TEXT NOT NULL,
        key_id            TEXT,
        idempotency_key   TEXT,
        request_hash      TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        completed_at      TEXT
      );
      CREATE INDEX jobs_by_printer_state ON jobs (printer_id, state, seq);
      CREATE INDEX jobs_by_state ON jobs (state, seq);
      CREATE UNIQUE INDEX jobs_idempotency ON jobs (key_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'webhook targets, webhook outbox, Star device names',
    sql: `
      CREATE TABLE notification_targets (
        id           TEXT PRIMARY KEY,
        group_path   TEXT NOT NULL,
        name         TEXT NOT NULL,
        url          TEXT NOT NULL,
        enabled      INTEGER NOT NULL DEFAULT 1,
        events_json  TEXT NOT NULL,
        created_at   TEXT NOT NULL
      );
      CREATE INDEX notification_targets_by_group ON notification_targets (group_path);

      CREATE TABLE webhook_outbox (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        target_id        TEXT NOT NULL,
        url              TEXT NOT NULL,
        body             TEXT NOT NULL,
        event            TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  INTEGER NOT NULL,
        created_at       TEXT NOT NULL,
        last_error       TEXT
      );
      CREATE INDEX webhook_outbox_by_target ON webhook_outbox (target_id, seq);

      CREATE TABLE star_device_names (
        printer_id  TEXT PRIMARY KEY,
        name        TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'cloud sync state and permanent cloud revocations',
    sql: `
      CREATE TABLE cloud_sync_state (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        cloud_url        TEXT NOT NULL,
        gateway_id       TEXT NOT NULL,
        applied_seq      INTEGER NOT NULL DEFAULT 0,
        issued_at        TEXT,
        last_success_at  TEXT
      );

      CREATE TABLE cloud_revocations (
        sha256      TEXT,
        key_id      TEXT,
        revoked_at  TEXT NOT NULL,
        seq         INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX cloud_revocations_by_sha256 ON cloud_revocations (sha256) WHERE sha256 IS NOT NULL;
      CREATE INDEX cloud_revocations_by_key_id ON cloud_revocations (key_id) WHERE key_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'CloudPRNT printers: what each told us on first contact',
    sql: `
      CREATE TABLE cloudprnt_devices (
        mac             TEXT PRIMARY KEY,
        group_path      TEXT NOT NULL,
        client_type     TEXT,
        client_version  TEXT,
        paper_width_mm  REAL,
        print_width_mm  REAL,
        dots_per_mm     REAL,
        poll_seconds    REAL,
        encodings       TEXT,
        first_seen_at   TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: "jobs: the printer's own result code (CloudPRNT DELETE code)",
    sql: `
      ALTER TABLE jobs ADD COLUMN printer_code TEXT;
    `,
  },
  {
    version: 7,
    name: 'jobs: the catalogue code and message of their last error, where they came from, their charset',
    sql: `
      ALTER TABLE jobs ADD COLUMN error_code TEXT;
      ALTER TABLE jobs ADD COLUMN error_message TEXT;
      ALTER TABLE jobs ADD COLUMN source TEXT NOT NULL DEFAULT 'api';
      ALTER TABLE jobs ADD COLUMN charset TEXT;
    `,
  },
  {
    version: 8,
    name: 'jobs: small documents kept in the row, render starts, when their bytes were handed to the printer; gateway state',
    sql: `
      ALTER TABLE jobs ADD COLUMN document BLOB;
      ALTER TABLE jobs ADD COLUMN render_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN sent_at TEXT;
      CREATE TABLE gateway_state (
        name   TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'printers: the identity discovery knows them by; devices a technician forgot',
    sql: `
      ALTER TABLE printers ADD COLUMN identity TEXT;
      ALTER TABLE printers ADD COLUMN identity_quality TEXT;
      ALTER TABLE printers ADD COLUMN identity_note TEXT;
      ALTER TABLE printers ADD COLUMN profile_id TEXT;
      ALTER TABLE printers ADD COLUMN make_and_model TEXT;
      CREATE UNIQUE INDEX printers_by_identity ON printers (identity) WHERE identity IS NOT NULL;
      CREATE TABLE forgotten_devices (
        identity      TEXT PRIMARY KEY,
        forgotten_at  TEXT NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'jobs: small documents in a table of their own, so that a state change does not rewrite them',
    sql: `
      CREATE TABLE job_documents (
        job_id  TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        body    BLOB NOT NULL
      );
      INSERT INTO job_documents (job_id, body) SELECT id, document FROM jobs WHERE document IS NOT NULL;
      ALTER TABLE jobs DROP COLUMN document;
    `,
  },
  {
    version: 11,
    name: 'jobs: how often a restart sent a job again (jobs.maxReprints counts these, not every attempt)',
    sql: `
      ALTER TABLE jobs ADD COLUMN reprints INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 12,
    name: 'api_keys: the sha256 uniqueness as a named index, which a big cloud snapshot may build once instead of row by row',
    sql: `
      CREATE TABLE api_keys_v12 (
        id            TEXT PRIMARY KEY,
        sha256        TEXT NOT NULL,
        hint          TEXT NOT NULL,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        permissions   TEXT NOT NULL,
        groups_json   TEXT NOT NULL DEFAULT '[]',
        source        TEXT NOT NULL CHECK (source IN ('local', 'cloud')),
        created_at    TEXT NOT NULL,
        expires_at    TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0,
        revoked_at    TEXT,
        last_used_at  TEXT
      );
      INSERT INTO api_keys_v12 (id, sha256, hint, name, description, permissions, groups_json, source, created_at, expires_at, disabled, revoked_at, last_used_at)
        SELECT id, sha256, hint, name, description, permissions, groups_json, source, created_at, expires_at, disabled, revoked_at, last_used_at FROM api_keys;
      DROP TABLE api_keys;
      ALTER TABLE api_keys_v12 RENAME TO api_keys;
      CREATE UNIQUE INDEX api_keys_by_sha256 ON api_keys (sha256);
    `,
  },
];
