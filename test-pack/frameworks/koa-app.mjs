// Koa 3 + koa-passport, as docs/koa.md shows it: MODE=session keeps the OAuth state in
// koa-session, MODE=cookie in a CookieStateStore (with session: false).
import Router from '@koa/router';
import Koa from 'koa';
import passport from 'koa-passport';
import session from 'koa-session';
import { CookieStateStore, FattureInCloudStrategy } from 'passport-fattureincloud';

const { PORT, MODE, FIC_CLIENT_ID, FIC_CLIENT_SECRET, FIC_BASE_URL, STATE_SECRET } = process.env;
const callbackURL = `http://localhost:${PORT}/auth/fattureincloud/callback`;
const cookieStore = MODE === 'cookie';

const app = new Koa();
// The app sets a cookie of its own on every answer, as apps do: ours must survive it.
app.use(async (ctx, next) => {
  ctx.cookies.set('app_theme', 'dark', { signed: false });
  await next();
});

app.keys = [process.env.SESSION_SECRET ?? 'a-koa-session-key-of-at-least-32-characters'];
app.use(session({}, app));
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user, done) => done(null, user));
passport.use(new FattureInCloudStrategy({
  clientID: FIC_CLIENT_ID, clientSecret: FIC_CLIENT_SECRET, baseURL: FIC_BASE_URL, callbackURL, scope: ['entity.clients:r'],
  ...(cookieStore ? { store: new CookieStateStore({ secret: STATE_SECRET }) } : {}),
}, (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id })));
app.use(passport.initialize());
app.use(passport.session());

const options = { session: !cookieStore };
const router = new Router();
router.get('/auth/fattureincloud', passport.authenticate('fattureincloud', options));
router.get('/auth/fattureincloud/callback', (ctx, next) =>
  passport.authenticate('fattureincloud', options, async (error, user, info, status) => {
    if (error) {
      ctx.status = 500;
      ctx.body = { error: error.message };
    } else if (!user) {
      ctx.status = typeof status === 'number' ? status : 401;
      ctx.body = { message: info?.message };
    } else {
      if (!cookieStore) await ctx.login(user);
      ctx.body = { user };
    }
  })(ctx, next));
app.use(router.routes());

// Webhooks, as docs/webhooks.md shows them for Koa: the middleware reads the body itself.
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';

const received = [];
const webhooks = new FattureInCloudWebhooks({ sink: `http://localhost:${PORT}/webhooks/fattureincloud`, keys: process.env.FIC_WEBHOOK_PUBLIC_KEY, appID: process.env.FIC_APP_ID });
webhooks.onAny((event) => void received.push({ type: event.type, ids: event.ids, companyID: event.companyID }));
app.use(webhooks.koa());
app.use(async (ctx, next) => {
  if (ctx.path === '/received') ctx.body = received;
  else await next();
});
app.listen(Number(PORT), '127.0.0.1', () => console.log('listening'));
