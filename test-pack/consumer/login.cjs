// One whole login from the packed package, with no session middleware (the cookie
// state store): run by the support-matrix test on each Node, Express and passport.
const http = require('node:http');
const express = require('express');
const passport = require('passport');
const { CookieStateStore, FattureInCloudStrategy } = require('passport-fattureincloud');
const { startFattureInCloudStandIn } = require('passport-fattureincloud/testing');

async function main() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const appURL = `http://127.0.0.1:${server.address().port}`;
  const callbackURL = `${appURL}/callback`;
  const standIn = await startFattureInCloudStandIn({ redirectURI: callbackURL });
  passport.use(new FattureInCloudStrategy({
    clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: standIn.baseURL, callbackURL,
    scope: ['entity.clients:r'], store: new CookieStateStore({ secret: 'a-matrix-state-secret-of-32-bytes-or-more' }),
  }, (accessToken, refreshToken, profile, done) => done(null, { id: profile.id, companies: profile.companies.length })));
  const app = express();
  app.use(passport.initialize());
  app.get('/login', passport.authenticate('fattureincloud', { session: false }));
  app.get('/callback', passport.authenticate('fattureincloud', { session: false }), (req, res) => res.json(req.user));
  server.on('request', app);

  const start = await fetch(`${appURL}/login`, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') || '').split(';')[0];
  const authorize = new URL(start.headers.get('location'));
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision: 'approve' });
  const consent = await fetch(`${standIn.baseURL}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const callback = await fetch(consent.headers.get('location'), { headers: { cookie } });
  const user = await callback.json();
  console.log(JSON.stringify({
    node: process.versions.node.split('.')[0],
    express: require('express/package.json').version.split('.')[0],
    passport: require('passport/package.json').version.split('.').slice(0, 2).join('.'),
    status: callback.status,
    user,
  }));
  server.closeAllConnections();
  server.close();
  await standIn.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
