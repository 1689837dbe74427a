import type { PostgresPoolLike } from '../../backends/postgres';
import { checkDuration, describeValue } from '../../config';
import { Deadlines } from '../../http/deadline';
import { FattureInCloudError } from '../../errors';
import { publishStoreError, type StoreCall } from '../../events';
import type { SealKeyInput } from '../../seal';
import { BOUNDS_ITS_OWN_CALLS, type StoredTokenSet, type TokenStore } from '../store';
import { assertWellFormedKey } from '../token-set';
import { createCodec, refreshTokenDigest, type TokenSetCodec } from './codec';
import { type PostgresStatements, postgresStatements } from './postgres-sql';

export type { PostgresPoolLike } from '../../backends/postgres';

export interface PostgresTokenStoreOptions {
  /** A `pg` Pool (`new Pool({ connectionString })`). */
  pool: PostgresPoolLike;
  /** Default `'fic_tokens'`; the locks live in `<table>_locks`. `schema.table` works. */
  table?: string | undefined;
  /** 32 bytes (a Buffer, 64 hex characters or base64): seals every stored set with AES-256-GCM. A list rotates keys. */
  encryptionKey?: SealKeyInput | readonly SealKeyInput[] | undefined;
  /** How long a refresh lock lives, in ms. Default: twice FattureInCloudTokens' timeout + 5 s. */
  lockTTL?: number | undefined;
  /** The longest any query may take, in ms, waiting for a connection included (up to an eighth more: one timer checks them all). Default 2000. */
  timeout?: number | undefined;
}

export const DEFAULT_POSTGRES_TIMEOUT_MS = 2_000;
const DEFAULT_TABLE = 'fic_tokens';
/** A serialization failure or a deadlock rolled the statement back: it is safe to send again. */
const RETRIED_STATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 6;
/** SQLSTATE classes and codes that mean the database cannot be reached or is going away. */
const UNAVAILABLE_STATE = /^(08|57P0[1-3]|53300|53400)/;

type Operation = 'read' | 'write' | 'replace' | 'delete' | 'lock' | 'unlock' | 'keys' | 'createTables';

/**
 * Token sets in PostgreSQL, for FattureInCloudTokens across processes: one row a
 * key, the compare-and-set an `UPDATE … WHERE rt = $2`, the lock a row in the
 * locks table taken by `INSERT … ON CONFLICT … WHERE expires_at < now`. Every
 * statement is one statement (autocommit), and one that a serializable database
 * rolled back is sent again, so it works under any default isolation.
 */
export class PostgresTokenStore implements TokenStore {
  readonly lockTTL: number | undefined;
  /** Every call settles within `timeout`: the manager adds no timer of its own. */
  readonly [BOUNDS_ITS_OWN_CALLS] = true;
  readonly timeout: number;
  readonly table: string;
  declare private readonly pool: PostgresPoolLike;
  declare private readonly codec: TokenSetCodec;
  declare private readonly deadlines: Deadlines<StoreCall>;
  private readonly sql: PostgresStatements;

  constructor(options: PostgresTokenStoreOptions) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null || typeof (options.pool as Partial<PostgresPoolLike> | undefined)?.query !== 'function') {
      throw new TypeError(`PostgresTokenStore needs options with a pg Pool (new Pool({ connectionString })), got ${describeValue((options as { pool?: unknown } | undefined)?.pool ?? options)}`);
    }
    const { pool, table = DEFAULT_TABLE, encryptionKey, lockTTL, timeout = DEFAULT_POSTGRES_TIMEOUT_MS } = options;
    if (typeof table !== 'string') throw new TypeError(`PostgresTokenStore: table must be a string, got ${describeValue(table)}`);
    this.table = table;
    this.sql = postgresStatements(table, 'PostgresTokenStore');
    this.lockTTL = lockTTL === undefined ? undefined : checkDuration(lockTTL, 'PostgresTokenStore: lockTTL');
    this.timeout = checkDuration(timeout, 'PostgresTokenStore: timeout');
    // Non-enumerable: neither the pool (its password) nor the key shows in logs of the store.
    Object.defineProperties(this, {
      pool: { value: pool },
      codec: { value: createCodec(encryptionKey, 'PostgresTokenStore') },
      deadlines: {
        value: new Deadlines<StoreCall>(this.timeout, {
          timedOut: (call) => publishStoreError(call, new FattureInCloudError(`PostgreSQL did not answer ${call.operation} within ${this.timeout} ms: is it reachable?`, { code: 'store_unavailable' })),
          // Mapped and published where it was caught.
          failed: (_call, error) => error as FattureInCloudError,
        }),
      },
    });
  }

  /** The DDL `createTables` runs, for teams that run their own migrations. */
  get ddl(): string {
    return this.sql.ddl;
  }

  /** Creates the two tables if they are not there; safe to call at every start. */
  async createTables(): Promise<void> {
    await this.query('createTables', this.sql.ddl, []);
  }

  async read(key: string): Promise<StoredTokenSet | undefined> {
    const place = this.placeOf(key);
    const { rows } = await this.query('read', this.sql.read, [key]);
    const row = rows[0] as { rt?: unknown; value?: unknown } | undefined;
    if (!row) return undefined;
    // A NULL value is one over the bound; a row whose rt column is not its set's would lose every rotation.
    const { rt, value } = row;
    return this.codec.decode(typeof value === 'string' ? value : '', place, () => `of key ${JSON.stringify(key)} in ${this.table}`, typeof rt === 'string' ? rt : '');
  }

  async write(key: string, stored: StoredTokenSet): Promise<void> {
    const place = this.placeOf(key);
    await this.query('write', this.sql.write, [key, refreshTokenDigest(stored.tokens.refreshToken), this.codec.encode(stored, place)]);
  }

  async replace(key: string, spentRefreshToken: string, next: StoredTokenSet): Promise<boolean> {
    const place = this.placeOf(key);
    const values = [key, refreshTokenDigest(spentRefreshToken), refreshTokenDigest(next.tokens.refreshToken), this.codec.encode(next, place)];
    return (await this.query('replace', this.sql.replace, values)).rowCount === 1;
  }

  async delete(key: string): Promise<void> {
    this.placeOf(key);
    await this.query('delete', this.sql.delete, [key]);
  }

  async lock(key: string, owner: string, ttl: number): Promise<boolean> {
    this.placeOf(key);
    return (await this.query('lock', this.sql.lock, [key, owner, Math.ceil(ttl)])).rowCount === 1;
  }

  async unlock(key: string, owner: string): Promise<void> {
    this.placeOf(key);
    await this.query('unlock', this.sql.unlock, [key, owner]);
  }

  /** Every stored key, a page at a time (`SELECT … WHERE key > $1 ORDER BY key LIMIT n`). */
  async *keys(pageSize = 100): AsyncIterableIterator<string> {
    let after = '';
    for (;;) {
      const { rows } = await this.query('keys', this.sql.keysAfter, [after, pageSize]);
      for (const row of rows) yield (row as { key: string }).key;
      if (rows.length < pageSize) return;
      after = (rows[rows.length - 1] as { key: string }).key;
    }
  }

  /** Where a sealed value is bound: this table and this key, so it cannot be copied under another. */
  private placeOf(key: string): string {
    assertWellFormedKey(key, 'PostgresTokenStore');
    return `${this.table}:${key}`;
  }

  /** One statement within `timeout`, sent again while the database rolls it back as a serialization failure. */
  private query(operation: Operation, text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }> {
    const call: StoreCall = { operation, key: operation === 'keys' || operation === 'createTables' ? '*' : String(values[0]) };
    const attempt = async (): Promise<{ rows: unknown[]; rowCount: number | null }> => {
      for (let tries = 1; ; tries++) {
        try {
          return await this.pool.query(text, values);
        } catch (error) {
          if (!RETRIED_STATES.has(sqlState(error) ?? '') || tries >= MAX_ATTEMPTS) throw publishStoreError(call, storeError(operation, error));
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * tries));
        }
      }
    };
    return this.deadlines.bound(attempt(), call);
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * What the database said, without what it was sent: only the SQLSTATE (and a
 * hint for the common case) is quoted, never the message, which may quote a
 * parameter. A database that cannot be reached is `store_unavailable`.
 */
function storeError(operation: Operation, error: unknown): FattureInCloudError {
  const state = sqlState(error);
  if (state && !UNAVAILABLE_STATE.test(state)) {
    const hint = state === '42P01' ? ': the table does not exist; run createTables() or the DDL in docs/several-processes.md' : '';
    return new FattureInCloudError(`PostgreSQL refused ${operation} (SQLSTATE ${state})${hint}`, { code: 'store_error' });
  }
  const systemCode = (error as { code?: unknown } | undefined)?.code;
  const reason = state ?? (typeof systemCode === 'string' && /^E[A-Z]+$/.test(systemCode) ? systemCode : 'the connection failed');
  return new FattureInCloudError(`PostgreSQL could not run ${operation}: ${reason}`, { code: 'store_unavailable' });
}
