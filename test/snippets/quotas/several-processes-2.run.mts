import { PostgresServer } from '../../../test/support/postgres-server.ts';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const postgres = await PostgresServer.start();
process.env.DATABASE_URL = postgres.url;

// SNIPPET

const { rows } = await pool.query("SELECT to_regclass('fic_quota') AS exists");
expectTrue(rows[0]?.exists === 'fic_quota' && quota.perMonth === 40000, 'the table is there');
await pool.end();
await postgres.stop();
