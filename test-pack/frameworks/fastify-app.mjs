// Fastify 5 + @fastify/passport, as docs/fastify.md shows it: MODE=session keeps the OAuth state
// in @fastify/session, MODE=cookie in a CookieStateStore (with session: false).
import fastifyCookie from '@fastify/cookie';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { CookieStateStore, FattureInCloudStrategy } from 'passport-fattureincloud';
import { fattureInCloudFastify } from 'passport-fattureincloud/fastify';

const { PORT, MODE, FIC_CLIENT_ID, FIC_CLIENT_SECRET, FIC_BASE_URL, STATE_SECRET } = process.env;
const callbackURL = `http://localhost:${PORT}/auth/fattureincloud/callback`;
const cookieStore = MODE === 'cookie';

const app = Fastify();
// The app sets a cookie of its own on every answer, as apps do: ours must survive it.
app.addHook('onRequest', async (_request, reply) => {
  reply.header('set-cookie', 'app_theme=dark; Path=/');
});

const passport = new Authenticator();
app.register(fastifyCookie);
// @fastify/passport needs a session plugin, even when logins use none.
app.register(fastifySession, { secret: process.env.SESSION_SECRET ?? 'a-fastify-session-secret-of-32-characters!', cookie: { secure: false } });
// Gives the CookieStateStore Fastify's reply: register it before @fastify/passport.
app.register(fattureInCloudFastify);
app.register(passport.initialize());
app.register(passport.secureSession());
passport.registerUserSerializer(async (user) => JSON.stringify(user));
passport.registerUserDeserializer(async (user) => JSON.parse(user));

passport.use('fattureincloud', new FattureInCloudStrategy({
  clientID: FIC_CLIENT_ID, clientSecret: FIC_CLIENT_SECRET, baseURL: FIC_BASE_URL, callbackURL, scope: ['entity.clients:r'],
  ...(cookieStore ? { store: new CookieStateStore({ secret: STATE_SECRET }) } : {}),
}, (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id })));

const options = { session: !cookieStore };
app.get('/auth/fattureincloud', { preValidation: passport.authenticate('fattureincloud', options) }, async () => 'unreachable');
app.get('/auth/fattureincloud/callback', (request, reply) =>
  passport.authenticate('fattureincloud', options, async (req, rep, error, user, info, status) => {
    if (error) return rep.code(500).send({ error: error.message });
    if (!user) return rep.code(typeof status === 'number' ? status : 401).send({ message: info?.message });
    if (!cookieStore) await req.logIn(user);
    return rep.send({ user });
  }).call(app, request, reply));

// Webhooks, as docs/webhooks.md shows them for Fastify: the plugin reads both CloudEvents modes itself.
import { FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';

const received = [];
const webhooks = new FattureInCloudWebhooks({ sink: `http://localhost:${PORT}/webhooks/fattureincloud`, keys: process.env.FIC_WEBHOOK_PUBLIC_KEY, appID: process.env.FIC_APP_ID });
webhooks.onAny((event) => void received.push({ type: event.type, ids: event.ids, companyID: event.companyID }));
app.register(webhooks.fastify);
app.get('/received', async () => received);

await app.listen({ port: Number(PORT), host: '127.0.0.1' });
console.log('listening');
