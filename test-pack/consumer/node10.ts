// A TypeScript 4.x/5.x project on `module: commonjs` (node10 resolution): every entry point resolves, with types.
import { CookieStateStore, FattureInCloudStrategy, FattureInCloudTokens, type TokenStore } from 'passport-fattureincloud';
import { ClientsApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { PostgresTokenStore } from 'passport-fattureincloud/postgres';
import { RedisTokenStore } from 'passport-fattureincloud/redis';
import { fattureInCloudSDK } from 'passport-fattureincloud/sdk';
import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';

const strategy: FattureInCloudStrategy = new FattureInCloudStrategy(
  { clientID: 'id', clientSecret: 'secret', scope: ['entity.clients:r'], store: new CookieStateStore({ secret: 'x'.repeat(32) }) },
  (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id }),
);
const store: TokenStore | undefined = undefined as TokenStore | undefined;
const tokens = new FattureInCloudTokens({ clientID: 'id', clientSecret: 'secret', store });
const clients: ClientsApi = fattureInCloudSDK({ tokens, key: 'user-1' }).api(ClientsApi);
export const entries = [strategy.name, typeof tokens.get, typeof RedisTokenStore, typeof startFattureInCloudStandIn, typeof clients.listClients, typeof PostgresTokenStore, typeof FattureInCloudWebhooks];
