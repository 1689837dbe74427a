// Express 5 + cookie-session, as the README says: passport needs regenerate() and save() on the
// session, which cookie-session lacks. MODE=session keeps the OAuth state in cookie-session,
// MODE=cookie in a CookieStateStore (with session: false). FIX=no leaves the two out.
import cookieSession from 'cookie-session';
import express from 'express';
import passport from 'passport';
import { CookieStateStore, FattureInCloudStrategy } from 'passport-fattureincloud';

const { PORT, MODE, FIX, FIC_CLIENT_ID, FIC_CLIENT_SECRET, FIC_BASE_URL, STATE_SECRET } = process.env;
const callbackURL = `http://localhost:${PORT}/auth/fattureincloud/callback`;
const cookieStore = MODE === 'cookie';

const app = express();
app.use(cookieSession({ name: 'session', keys: ['a-cookie-session-key-of-32-characters!'] }));
// passport logs users in with req.session.regenerate() and save(), which cookie-session lacks.
const addSessionFunctions = (req, _res, next) => {
  req.session.regenerate ??= (done) => done();
  req.session.save ??= (done) => done();
  next();
};
if (FIX !== 'no') app.use(addSessionFunctions);
passport.serializeUser((user, done) => done(null, user));
passport.deserializeUser((user, done) => done(null, user));
passport.use(new FattureInCloudStrategy({
  clientID: FIC_CLIENT_ID, clientSecret: FIC_CLIENT_SECRET, baseURL: FIC_BASE_URL, callbackURL, scope: ['entity.clients:r'],
  ...(cookieStore ? { store: new CookieStateStore({ secret: STATE_SECRET }) } : {}),
}, (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id })));
app.use(passport.session());

const options = { session: !cookieStore };
app.use((_req, res, next) => {
  res.cookie('app_theme', 'dark');
  next();
});
app.get('/auth/fattureincloud', passport.authenticate('fattureincloud', options));
app.get('/auth/fattureincloud/callback', (req, res, next) =>
  passport.authenticate('fattureincloud', options, (error, user, info, status) => {
    if (error) return res.status(500).json({ error: error.message });
    if (!user) return res.status(typeof status === 'number' ? status : 401).json({ message: info?.message });
    if (cookieStore) return res.json({ user });
    req.logIn(user, (loginError) => (loginError ? res.status(500).json({ error: loginError.message }) : res.json({ user })));
  })(req, res, next));
app.listen(Number(PORT), '127.0.0.1', () => console.log('listening'));
