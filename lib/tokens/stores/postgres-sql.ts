import { MAX_STORED_BYTES } from './codec';

/**
 * The SQL PostgresTokenStore sends, as data, for one table name (quoted once,
 * here). `rt` is a SHA-256 of the refresh token, for the compare-and-set; the
 * token itself is only inside `value`, and sealed there with an encryption key.
 * `clock_timestamp()`, not `now()`: a lock's expiry is this moment's, whatever
 * transaction the statement runs in.
 */
export interface PostgresStatements {
  readonly ddl: string;
  readonly read: string;
  readonly write: string;
  readonly replace: string;
  readonly delete: string;
  readonly lock: string;
  readonly unlock: string;
  readonly keysAfter: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;

/** `table` or `schema.table`, each part a plain identifier; a TypeError for anything else. */
export function postgresStatements(table: string, where: string): PostgresStatements {
  const parts = table.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`${where}: table must be a plain name or schema.name (letters, digits, _; at most 55 characters each)`);
  }
  const sets = parts.map((part) => `"${part}"`).join('.');
  const locks = [...parts.slice(0, -1).map((part) => `"${part}"`), `"${parts[parts.length - 1] ?? ''}_locks"`].join('.');
  return {
    ddl: `CREATE TABLE IF NOT EXISTS ${sets} (
  key text PRIMARY KEY,
  rt text NOT NULL,
  value text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS ${locks} (
  key text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);`,
    // An oversized value (planted: a set is well under 1 KiB) is refused in the database, not sent whole.
    read: `SELECT rt, CASE WHEN octet_length(value) <= ${MAX_STORED_BYTES} THEN value END AS value FROM ${sets} WHERE key = $1`,
    write: `INSERT INTO ${sets} (key, rt, value) VALUES ($1, $2, $3)
  ON CONFLICT (key) DO UPDATE SET rt = EXCLUDED.rt, value = EXCLUDED.value, updated_at = clock_timestamp()`,
    replace: `UPDATE ${sets} SET rt = $3, value = $4, updated_at = clock_timestamp() WHERE key = $1 AND rt = $2`,
    delete: `DELETE FROM ${sets} WHERE key = $1`,
    lock: `INSERT INTO ${locks} (key, owner, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at WHERE ${locks}.expires_at < clock_timestamp()`,
    unlock: `DELETE FROM ${locks} WHERE key = $1 AND owner = $2`,
    keysAfter: `SELECT key FROM ${sets} WHERE key > $1 ORDER BY key LIMIT $2`,
  };
}
