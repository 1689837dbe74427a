import { type PostgresPoolLike, PostgresTableStore } from '../../backends/postgres';
import type { ClaimResult, WebhookLog } from '../log';

export interface PostgresWebhookLogOptions {
  /** A `pg` Pool (`new Pool({ connectionString })`). */
  pool: PostgresPoolLike;
  /** Default `'fic_webhook_log'`. `schema.table` works. */
  table?: string | undefined;
}

/** Lapsed rows are deleted by the process that completes an event, at most this often. */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/**
 * The event log in PostgreSQL, shared by every process of an app. Times are
 * the database's own clock (`clock_timestamp()`), so processes whose clocks
 * differ still agree on when a claim lapses. A claim is one statement: an
 * insert, or the take-over of a row whose time has passed.
 */
export class PostgresWebhookLog extends PostgresTableStore implements WebhookLog {
  private sweptAt = 0;

  constructor(options: PostgresWebhookLogOptions) {
    super(options, 'fic_webhook_log', 'PostgresWebhookLog');
  }

  get ddl(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.table} (
  event_id text PRIMARY KEY,
  state text NOT NULL,
  owner text NOT NULL,
  until timestamptz NOT NULL
)`;
  }

  async claim(id: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.table} AS w (event_id, state, owner, until) VALUES ($1, 'claimed', $2, clock_timestamp() + $3::bigint * interval '1 millisecond')
ON CONFLICT (event_id) DO UPDATE SET state = 'claimed', owner = $2, until = EXCLUDED.until WHERE w.until <= clock_timestamp()
RETURNING 1`,
      [id, owner, Math.ceil(leaseMs)],
    );
    if (rows.length === 1) return 'claimed';
    const current = await this.pool.query(`SELECT state FROM ${this.table} WHERE event_id = $1`, [id]);
    return (current.rows[0] as { state?: string } | undefined)?.state === 'done' ? 'done' : 'busy';
  }

  async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `UPDATE ${this.table} SET until = clock_timestamp() + $3::bigint * interval '1 millisecond' WHERE event_id = $1 AND state = 'claimed' AND owner = $2 RETURNING 1`,
      [id, owner, Math.ceil(leaseMs)],
    );
    return rows.length === 1;
  }

  async complete(id: string, keepMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} AS w (event_id, state, owner, until) VALUES ($1, 'done', '', clock_timestamp() + $2::bigint * interval '1 millisecond')
ON CONFLICT (event_id) DO UPDATE SET state = 'done', owner = '', until = EXCLUDED.until`,
      [id, Math.ceil(keepMs)],
    );
    await this.sweep();
  }

  async release(id: string, owner: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE event_id = $1 AND state = 'claimed' AND owner = $2`, [id, owner]);
  }

  /** Deletes lapsed rows, a bounded batch at a time: the table holds about the last few hours. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = Date.now();
    await this.pool.query(`DELETE FROM ${this.table} WHERE event_id IN (SELECT event_id FROM ${this.table} WHERE until <= clock_timestamp() LIMIT 10000)`);
  }
}
