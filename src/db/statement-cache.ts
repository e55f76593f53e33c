import type { Statement } from 'better-sqlite3';
import type { Db } from './open-database.js';

/**
 * Prepares each SQL text once per store: `db.prepare()` compiles the statement every call, which
 * on the print path cost more than the queries themselves. Texts built from a fixed set of columns
 * (an UPDATE of the fields given) are a bounded set, so the cache stays small.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const prepared = new Map<string, Statement>();
  return (sql) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  };
}
