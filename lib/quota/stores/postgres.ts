import { type PostgresPoolLike, PostgresTableStore } from '../../backends/postgres';
import type { QuotaCounts, QuotaStore, QuotaTake, QuotaTaken, QuotaWindow } from '../store';

export interface PostgresQuotaStoreOptions {
  /** A `pg` Pool (`new Pool({ connectionString })`). */
  pool: PostgresPoolLike;
  /** Default `'fic_quota'`. `schema.table` works. */
  table?: string | undefined;
}

/**
 * The quota's counters in PostgreSQL: one row a bucket, reused as windows
 * turn (the take resets a counter whose window has passed), so rows do not
 * pile up. Each take is one statement: check and count together.
 */
export class PostgresQuotaStore extends PostgresTableStore implements QuotaStore {

  constructor(options: PostgresQuotaStoreOptions) {
    super(options, 'fic_quota', 'PostgresQuotaStore');
  }

  get ddl(): string {
    return `CREATE TABLE IF NOT EXISTS ${this.table} (
  bucket text PRIMARY KEY,
  hour_window bigint NOT NULL,
  hour_spent integer NOT NULL,
  month_window text NOT NULL,
  month_spent integer NOT NULL,
  paused_until bigint NOT NULL DEFAULT 0,
  paused_for text NOT NULL DEFAULT 'hour'
)`;
  }

  async take(request: QuotaTake): Promise<QuotaTaken> {
    const { bucket, now, hour, month, hourCeiling, monthCeiling } = request;
    if (hourCeiling < 1) return { granted: false, reason: 'hour' };
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.table} AS q (bucket, hour_window, hour_spent, month_window, month_spent) VALUES ($1, $2, 1, $3, 1)
ON CONFLICT (bucket) DO UPDATE SET
  hour_spent = CASE WHEN q.hour_window = $2 THEN q.hour_spent + 1 ELSE 1 END, hour_window = $2,
  month_spent = CASE WHEN q.month_window = $3 THEN q.month_spent + 1 ELSE 1 END, month_window = $3
WHERE q.paused_until <= $4
  AND (CASE WHEN q.month_window = $3 THEN q.month_spent ELSE 0 END) < $6
  AND (CASE WHEN q.hour_window = $2 THEN q.hour_spent ELSE 0 END) < $5
RETURNING 1`,
      [bucket, hour, month, now, hourCeiling, monthCeiling],
    );
    if (rows.length === 1) return { granted: true };
    // Refused: read why, outside the take (what it says may have moved on already, which only makes it more current).
    const counts = await this.readRow(bucket, request);
    if (counts.pausedUntil > now) return { granted: false, reason: 'paused', until: counts.pausedUntil, window: counts.pausedFor };
    return { granted: false, reason: counts.monthSpent >= monthCeiling ? 'month' : 'hour' };
  }

  async correct(request: Parameters<QuotaStore['correct']>[0]): Promise<void> {
    const { bucket, hour, month, hourSpent, monthSpent } = request;
    await this.pool.query(
      `INSERT INTO ${this.table} AS q (bucket, hour_window, hour_spent, month_window, month_spent) VALUES ($1, $2, COALESCE($4, 0), $3, COALESCE($5, 0))
ON CONFLICT (bucket) DO UPDATE SET
  hour_spent = GREATEST(CASE WHEN q.hour_window = $2 THEN q.hour_spent ELSE 0 END, COALESCE($4, 0)), hour_window = $2,
  month_spent = GREATEST(CASE WHEN q.month_window = $3 THEN q.month_spent ELSE 0 END, COALESCE($5, 0)), month_window = $3`,
      [bucket, hour, month, hourSpent ?? null, monthSpent ?? null],
    );
  }

  async pause(bucket: string, until: number, window: QuotaWindow): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} AS q (bucket, hour_window, hour_spent, month_window, month_spent, paused_until, paused_for) VALUES ($1, 0, 0, '', 0, $2, $3)
ON CONFLICT (bucket) DO UPDATE SET paused_for = CASE WHEN $2 > q.paused_until THEN $3 ELSE q.paused_for END, paused_until = GREATEST(q.paused_until, $2)`,
      [bucket, Math.ceil(until), window],
    );
  }

  async read(bucket: string, windows: { hour: number; month: string }): Promise<QuotaCounts> {
    const { hourSpent, monthSpent, pausedUntil } = await this.readRow(bucket, windows);
    return { hourSpent, monthSpent, pausedUntil };
  }

  private async readRow(bucket: string, windows: { hour: number; month: string }): Promise<QuotaCounts & { pausedFor: QuotaWindow }> {
    const { rows } = await this.pool.query(
      `SELECT CASE WHEN hour_window = $2 THEN hour_spent ELSE 0 END AS hour_spent, CASE WHEN month_window = $3 THEN month_spent ELSE 0 END AS month_spent, paused_until, paused_for FROM ${this.table} WHERE bucket = $1`,
      [bucket, windows.hour, windows.month],
    );
    const row = rows[0] as { hour_spent: number; month_spent: number; paused_until: string | number; paused_for: string } | undefined;
    return { hourSpent: row?.hour_spent ?? 0, monthSpent: row?.month_spent ?? 0, pausedUntil: Number(row?.paused_until ?? 0), pausedFor: row?.paused_for === 'month' ? 'month' : 'hour' };
  }
}
