import { randomBytes } from 'node:crypto';
import { PostgresServer } from '../../../test/support/postgres-server.ts';
import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { grantAtStandIn } from '../../../test/support/stand-in-login.ts';

const postgres = await PostgresServer.start();
process.env.DATABASE_URL = postgres.url;
process.env.TOKENS_KEY = randomBytes(32).toString('hex');
const { standIn, clientID, clientSecret, callbackURL } = await snippetContext();

// SNIPPET

await tokens.save('user-1', await grantAtStandIn(standIn, callbackURL));
const { rows } = await pool.query<{ value: string }>('SELECT value FROM fic_tokens');
expectTrue(rows.length === 1 && !/[ar]\//.test(rows[0]!.value), 'the set is in PostgreSQL, sealed');
expectTrue((await tokens.get('user-1'))?.accessToken.startsWith('a/') === true, 'get opens it');
await pool.end();
await standIn.close();
await postgres.stop();
