import { describeValue } from '../config';

/**
 * What the package's PostgreSQL stores share: the part of a `pg` Pool they
 * call (`pg` itself is never loaded here), a table name checked and quoted
 * once, and a CREATE that several processes may run at the same moment.
 */

/** The part of a `pg` Pool (or Client) the stores call. */
export interface PostgresPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;
/** Two processes creating the table at once: one wins, the other's CREATE fails on the catalog. */
const ALREADY_CREATED = new Set(['42P07', '23505']);

/** `options.pool`, checked: a TypeError naming `where` for anything without `query`. */
export function poolOf(options: unknown, where: string): PostgresPoolLike {
  const pool = (options as { pool?: unknown } | null | undefined)?.pool;
  if (typeof (pool as Partial<PostgresPoolLike> | undefined)?.query !== 'function') {
    throw new TypeError(`${where} needs options with a pg Pool, got ${describeValue(pool ?? options)}`);
  }
  return pool as PostgresPoolLike;
}

/** `table` or `schema.table`, each part a plain identifier, quoted; a TypeError for anything else. */
export function quotedTable(table: unknown, where: string): string {
  if (typeof table !== 'string' || table.split('.').length > 2 || !table.split('.').every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`${where}: table must be a plain name or schema.name (letters, digits, _)`);
  }
  return table.split('.').map((part) => `"${part}"`).join('.');
}

/** Runs `ddl` (a CREATE … IF NOT EXISTS); another process creating it at the same moment is not an error. */
export async function createIfMissing(pool: PostgresPoolLike, ddl: string): Promise<void> {
  try {
    await pool.query(ddl);
  } catch (error) {
    if (!ALREADY_CREATED.has(String((error as { code?: unknown }).code))) throw error;
  }
}

/**
 * A store kept in one table of its own: the checked pool (non-enumerable, so
 * a logged store does not print it), the quoted table name, and
 * `createTables()` for the DDL the store describes.
 */
export abstract class PostgresTableStore {
  readonly table: string;
  declare protected readonly pool: PostgresPoolLike;

  constructor(options: { pool: PostgresPoolLike; table?: string | undefined }, defaultTable: string, where: string) {
    const pool = poolOf(options, where);
    this.table = quotedTable(options.table ?? defaultTable, where);
    Object.defineProperty(this, 'pool', { value: pool });
  }

  /** The DDL `createTables` runs, for teams that run their own migrations. */
  abstract get ddl(): string;

  /** Creates the table if it is not there; safe when several processes run it at once. */
  async createTables(): Promise<void> {
    await createIfMissing(this.pool, this.ddl);
  }
}
