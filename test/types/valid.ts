// Compiled by test/types.test.ts under strict settings: every line must type-check without casts.
import passport from 'passport';
import {
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudVerifyWithParams,
  type FattureInCloudVerifyWithRequestAndParams,
  Scope,
  Strategy,
} from '../../lib/index';

passport.use(
  new FattureInCloudStrategy(
    { clientID: 'id', clientSecret: 'secret', scope: [Scope.SETTINGS_ALL, 'entity.clients:r'] },
    (accessToken, refreshToken, profile, done) => done(null, { id: profile.id, accessToken, refreshToken }),
  ),
);
const withParams: FattureInCloudVerifyWithParams = (_access, _refresh, params, profile, done) =>
  done(null, { expiresIn: params.expires_in, companies: profile.companies.length });
new Strategy({ clientID: 'id', clientSecret: 'secret', scope: 'settings:r entity.clients:a' }, withParams);
new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret', passReqToCallback: true }, (req, _a, _r, profile, done) =>
  done(null, { url: req.url, name: profile.displayName }),
);
const withRequestAndParams: FattureInCloudVerifyWithRequestAndParams = (req, _a, _r, params, profile, done) =>
  done(null, { url: req.url, type: params.token_type, id: profile.id });
new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret', passReqToCallback: true }, withRequestAndParams);

passport.authenticate('fattureincloud', { scope: ['entity.clients:r', Scope.SETTINGS_READ], failureRedirect: '/' });
passport.authenticate('fattureincloud', { scope: 'settings:r', failureMessage: true });
passport.authenticate('fattureincloud');
passport.authenticate('github', { scope: ['user:email'] });
passport.authenticate(['fattureincloud', 'local'], { session: false });

export function firstPlan(profile: FattureInCloudProfile): string | null | undefined {
  return profile.companies[0]?.fic_plan;
}

// Webhooks: a handler for a known type sees that type; onAny sees any string.
import { EventType, FattureInCloudWebhooks, type WebhookEvent } from '../../lib/webhooks/index';

const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks' });
webhooks.on(EventType.ENTITIES_CLIENTS_CREATE, (event: WebhookEvent<'it.fattureincloud.webhooks.entities.clients.create'>) => event.ids);
webhooks.on([EventType.PRODUCTS_CREATE, EventType.PRODUCTS_UPDATE], (event) => {
  const type: 'it.fattureincloud.webhooks.products.create' | 'it.fattureincloud.webhooks.products.update' = event.type;
  return type;
});
webhooks.onAny((event) => event.type.length);
