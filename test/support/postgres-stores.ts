import { Pool } from 'pg';
import { PostgresTokenStore, type PostgresTokenStoreOptions } from '../../lib/postgres';

/** A PostgresTokenStore on a pool of its own, as data a worker process can be handed. */
export interface PostgresTarget {
  kind: 'postgres';
  url: string;
  table?: string;
}

export async function openPostgresStore(target: PostgresTarget, options: Omit<PostgresTokenStoreOptions, 'pool' | 'table'> = {}) {
  const pool = new Pool({ connectionString: target.url, max: 10 });
  pool.on('error', () => undefined);
  const store = new PostgresTokenStore({ ...options, pool, table: target.table });
  await store.createTables();
  return {
    store,
    pool,
    flush: async (): Promise<void> => {
      await pool.query(`TRUNCATE ${store.table}, ${store.table}_locks`);
    },
    close: () => pool.end(),
  };
}
