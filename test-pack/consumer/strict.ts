// A strict TypeScript consumer: no casts, no any.
import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import passport from 'passport';
import {
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudTokens,
  type FattureInCloudTokenSet,
  type FattureInCloudVerifyWithParams,
  refreshAccessToken,
  Scope,
} from 'passport-fattureincloud';
import { type FattureInCloudSDK, fattureInCloudSDK } from 'passport-fattureincloud/sdk';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { type RedisClientLike, RedisWebhookLog } from 'passport-fattureincloud/redis';
import { EVENT_TYPES, FattureInCloudWebhooks, type WebhookEvent } from 'passport-fattureincloud/webhooks';

interface AppUser {
  id: string;
  companies: number;
}

const strategy = new FattureInCloudStrategy(
  { clientID: 'id', clientSecret: 'secret', callbackURL: 'http://localhost:3000/cb', scope: [Scope.ENTITY_CLIENTS_READ, 'settings:a'] },
  (_accessToken, _refreshToken, profile, done) => {
    const user: AppUser = { id: profile.id, companies: profile.companies.length };
    done(null, user);
  },
);
passport.use(strategy);

const withParams: FattureInCloudVerifyWithParams = (_a, _r, params, profile: FattureInCloudProfile, done) =>
  done(null, { id: profile.id, expiresIn: params.expires_in });
passport.use('fic-params', new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret' }, withParams));

export const login = passport.authenticate('fattureincloud', { scope: ['entity.clients:r'], failureRedirect: '/login' });

export async function renew(tokens: FattureInCloudTokenSet): Promise<FattureInCloudTokenSet> {
  const fresh = await strategy.ensureFreshToken(tokens);
  return fresh === tokens ? tokens : refreshAccessToken({ clientID: 'id', clientSecret: 'secret' }, fresh.refreshToken);
}

export async function offline(): Promise<string> {
  const standIn = await startFattureInCloudStandIn({ redirectURI: 'http://localhost:3000/cb' });
  await standIn.close();
  return standIn.baseURL;
}

// The SDK binding: `api` gives back the class asked for, typed.
export async function clientNames(tokens: FattureInCloudTokens, userID: string, companyID: number): Promise<string[]> {
  const fic: FattureInCloudSDK = fattureInCloudSDK({ tokens, key: userID, retry: { rateLimited: 1 }, onRateLimit: (info) => info.hourlyRemaining });
  const clients: ClientsApi = fic.api(ClientsApi);
  const { data } = await clients.listClients(companyID);
  return (data.data ?? []).map((client) => client.name ?? '');
}

// Webhooks: typed handlers (a known type narrows `type`; an unknown one is still a string), the Redis log.
export function receiver(sink: string, client: RedisClientLike): FattureInCloudWebhooks {
  const webhooks = new FattureInCloudWebhooks({ sink, handlerTimeout: 5_000, dedupe: new RedisWebhookLog({ client }) });
  webhooks.on('it.fattureincloud.webhooks.entities.clients.create', (event: WebhookEvent<'it.fattureincloud.webhooks.entities.clients.create'>) => event.ids.length);
  webhooks.onAny((event) => (event.type === 'it.fattureincloud.webhooks.some.future.type' ? event.unsubscribe() : undefined));
  return webhooks;
}
export const eventTypes: number = EVENT_TYPES.length;
