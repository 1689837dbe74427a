import { DEFAULT_BASE_URL } from 'passport-fattureincloud';

/** What the example needs, read from the environment; a bad setting is one clear line. */
export interface ExampleConfig {
  port: number;
  scopes: string;
  /** Set when the real Fatture in Cloud is used; absent for the offline stand-in. */
  credentials?: { clientID: string; clientSecret: string; callbackURL: string; baseURL: string };
}

export class ConfigError extends Error {}

const DEFAULT_SCOPES = 'entity.clients:r settings:r';

export function readConfig(env: NodeJS.ProcessEnv): ExampleConfig {
  const port = readPort(env.PORT);
  const scopes = env.FIC_SCOPES?.trim() || DEFAULT_SCOPES;
  const clientID = env.FIC_CLIENT_ID?.trim();
  const clientSecret = env.FIC_CLIENT_SECRET?.trim();
  if (!clientID && !clientSecret) return { port, scopes };
  if (!clientID || !clientSecret) {
    const missing = clientID ? 'FIC_CLIENT_SECRET' : 'FIC_CLIENT_ID';
    throw new ConfigError(`${missing} is missing: set both FIC_CLIENT_ID and FIC_CLIENT_SECRET, or neither to use the offline stand-in.`);
  }
  const callbackURL = env.FIC_CALLBACK_URL?.trim() || `http://localhost:${port}/auth/fattureincloud/callback`;
  if (!URL.canParse(callbackURL)) throw new ConfigError(`FIC_CALLBACK_URL is not a URL: ${callbackURL}`);
  return { port, scopes, credentials: { clientID, clientSecret, callbackURL, baseURL: env.FIC_BASE_URL?.trim() || DEFAULT_BASE_URL } };
}

function readPort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number (0-65535), got "${value}".`);
  return port;
}
