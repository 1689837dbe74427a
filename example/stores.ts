import { RedisStore } from 'connect-redis';
import type { Store } from 'express-session';
import { MemoryTokenStore, type TokenStore } from 'passport-fattureincloud';
import { RedisTokenStore, RedisWebhookLog } from 'passport-fattureincloud/redis';
import { MemoryWebhookLog, type WebhookLog } from 'passport-fattureincloud/webhooks';
import { createClient } from 'redis';
import { ConfigError } from './config';

/**
 * Where the example keeps sessions and token sets: both in Redis when
 * REDIS_URL is set, so any number of instances share them; in memory otherwise.
 */
export interface Stores {
  /** Undefined: express-session's MemoryStore. */
  sessions: Store | undefined;
  tokens: TokenStore;
  /** Where webhook event ids are kept, so that each event is handled once by all the instances together. */
  webhookLog: WebhookLog;
  /** One line for the console: where sessions and tokens live. */
  description: string;
  /** A line for the console when the store would lose a rotation in a crash. */
  warning?: string | undefined;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 3_000;

export async function openStores(options: { redisURL?: string | undefined; tokensKey?: string | undefined }): Promise<Stores> {
  if (!options.redisURL) {
    if (options.tokensKey) throw new ConfigError('TOKENS_KEY seals token sets in Redis: set REDIS_URL too, or unset it.');
    return {
      sessions: undefined,
      tokens: new MemoryTokenStore(),
      webhookLog: new MemoryWebhookLog(),
      description: 'Sessions and tokens are kept in memory: they end with the process (set REDIS_URL to keep them in Redis).',
      close: () => Promise.resolve(),
    };
  }
  const client = await connect(options.redisURL);
  let tokens: RedisTokenStore;
  try {
    tokens = new RedisTokenStore({ client, encryptionKey: options.tokensKey });
  } catch (error) {
    await client.close();
    throw new ConfigError(`TOKENS_KEY: ${(error as Error).message.replace(/^RedisTokenStore: encryptionKey /, '')}.`);
  }
  return {
    sessions: new RedisStore({ client, prefix: 'fic-example:session:' }),
    tokens,
    webhookLog: new RedisWebhookLog({ client, prefix: 'fic-example:webhook:' }),
    warning: await durabilityWarning(tokens, options.redisURL),
    description: `Sessions and tokens are kept in Redis at ${where(options.redisURL)}${options.tokensKey ? ', token sets sealed with TOKENS_KEY' : ''}.`,
    close: () => client.close(),
  };
}

/** Redis without AOF loses the last writes in a crash: a rotated refresh token among them is the user's authorization. */
async function durabilityWarning(tokens: RedisTokenStore, url: string): Promise<string | undefined> {
  const persistence = await tokens.persistence().catch(() => undefined);
  if (!persistence || (persistence.aof && persistence.appendfsync !== 'no')) return undefined;
  const what = persistence.aof ? 'AOF with appendfsync no' : 'no AOF (appendonly no)';
  return `Warning: Redis at ${where(url)} has ${what}: a crash right after a token refresh would cost that user their authorization. For production, set appendonly yes and appendfsync always (docs/several-processes.md, Durability).`;
}

/** Connects within a bound: an unreachable REDIS_URL is one clear line at start, not a hang. */
async function connect(url: string) {
  let connected = false;
  // Until the first connection, a failure is final (one line at start); after it, reconnect with backoff.
  const reconnectStrategy = (retries: number, cause: Error): number | Error => (connected ? Math.min(100 * 2 ** retries, 5_000) : cause);
  const client = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy } });
  // node-redis reconnects by itself: say so once per outage, not once per attempt.
  let outage = false;
  client.on('error', (error: Error) => {
    if (connected && !outage) console.error(`Redis at ${where(url)}: ${describe(error)}; reconnecting.`);
    outage = true;
  });
  client.on('ready', () => {
    connected = true;
    outage = false;
  });
  const timeout = new Promise<never>((_resolve, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS).unref(),
  );
  try {
    await Promise.race([client.connect(), timeout]);
    return client;
  } catch (error) {
    client.destroy();
    throw new ConfigError(`Cannot reach Redis at ${where(url)} (REDIS_URL): ${describe(error)}.`);
  }
}

/** host:port only: a REDIS_URL may hold a password. */
function where(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? 'unknown error';
}
