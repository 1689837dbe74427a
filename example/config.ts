import { DEFAULT_BASE_URL } from 'passport-fattureincloud';

/** What the example needs, read from the environment; a bad setting is one clear line. */
export interface ExampleConfig {
  port: number;
  scopes: string;
  /** Set when the real Fatture in Cloud (or a shared stand-in) is used; absent for the embedded stand-in. */
  credentials?: { clientID: string; clientSecret: string; callbackURL: string; baseURL: string };
  /** Sessions and tokens go to Redis when set; to memory otherwise. */
  redisURL?: string;
  /** Undefined: a random one, so sessions end with the process. */
  sessionSecret?: string;
  /** Seals the token sets in Redis (32 bytes as hex or base64). */
  tokensKey?: string;
  /** Webhooks from Fatture in Cloud (or a shared stand-in): where they arrive, the key and app id they are checked with. */
  webhooks?: { sink: string | undefined; publicKey: string | undefined; appID: string | undefined };
}

export class ConfigError extends Error {}

const DEFAULT_SCOPES = 'entity.clients:a settings:r';
const MIN_SESSION_SECRET_LENGTH = 32;

export function readConfig(env: NodeJS.ProcessEnv): ExampleConfig {
  const port = readPort(env.PORT);
  const config: ExampleConfig = { port, scopes: env.FIC_SCOPES?.trim() || DEFAULT_SCOPES };
  const credentials = readCredentials(env, port);
  if (credentials) config.credentials = credentials;
  const redisURL = env.REDIS_URL?.trim();
  if (redisURL) {
    if (!/^rediss?:\/\//.test(redisURL) || !URL.canParse(redisURL)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL.');
    config.redisURL = redisURL;
  }
  const sessionSecret = env.SESSION_SECRET?.trim();
  if (sessionSecret) {
    if (sessionSecret.length < MIN_SESSION_SECRET_LENGTH) throw new ConfigError(`SESSION_SECRET must be at least ${MIN_SESSION_SECRET_LENGTH} characters (try: openssl rand -hex 32).`);
    config.sessionSecret = sessionSecret;
  }
  const tokensKey = env.TOKENS_KEY?.trim();
  if (tokensKey) config.tokensKey = tokensKey;
  const webhooks = readWebhooks(env);
  if (webhooks) config.webhooks = webhooks;
  return config;
}

/** FIC_WEBHOOK_SINK (the public https URL) for Fatture in Cloud; FIC_WEBHOOK_PUBLIC_KEY and FIC_APP_ID for a shared stand-in. */
function readWebhooks(env: NodeJS.ProcessEnv): ExampleConfig['webhooks'] {
  const sink = env.FIC_WEBHOOK_SINK?.trim() || undefined;
  const publicKey = env.FIC_WEBHOOK_PUBLIC_KEY?.trim() || undefined;
  const appID = env.FIC_APP_ID?.trim() || undefined;
  if (!sink && !publicKey) return undefined;
  if (sink && !/^https?:\/\//.test(sink)) throw new ConfigError(`FIC_WEBHOOK_SINK must be the URL Fatture in Cloud posts to, got "${sink}".`);
  return { sink, publicKey, appID };
}

function readCredentials(env: NodeJS.ProcessEnv, port: number): ExampleConfig['credentials'] {
  const clientID = env.FIC_CLIENT_ID?.trim();
  const clientSecret = env.FIC_CLIENT_SECRET?.trim();
  if (!clientID && !clientSecret) return undefined;
  if (!clientID || !clientSecret) {
    const missing = clientID ? 'FIC_CLIENT_SECRET' : 'FIC_CLIENT_ID';
    throw new ConfigError(`${missing} is missing: set both FIC_CLIENT_ID and FIC_CLIENT_SECRET, or neither to use the offline stand-in.`);
  }
  const callbackURL = env.FIC_CALLBACK_URL?.trim() || `http://localhost:${port}/auth/fattureincloud/callback`;
  if (!URL.canParse(callbackURL)) throw new ConfigError(`FIC_CALLBACK_URL is not a URL: ${callbackURL}`);
  return { clientID, clientSecret, callbackURL, baseURL: env.FIC_BASE_URL?.trim() || DEFAULT_BASE_URL };
}

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number (0-65535), got "${value}".`);
  return port;
}
