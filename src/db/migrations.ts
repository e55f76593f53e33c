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
];
