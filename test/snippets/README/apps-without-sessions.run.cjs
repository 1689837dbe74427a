// The block as a CommonJS app: the login's start sets the sealed state cookie, with no session.
const express = require('express');
const passport = require('passport');

const app = express();
const clientID = 'client-id';
const clientSecret = 'client-secret';
const callbackURL = 'http://localhost:3000/auth/fattureincloud/callback';
const verify = (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id });
process.env.STATE_SECRET = 'a-state-secret-of-at-least-32-bytes!';

// SNIPPET

const server = app.listen(0, '127.0.0.1', async () => {
  const response = await fetch(`http://127.0.0.1:${server.address().port}/auth/fattureincloud`, { redirect: 'manual' });
  const location = new URL(response.headers.get('location'));
  const cookie = response.headers.get('set-cookie') ?? '';
  server.close();
  if (response.status !== 302 || !location.searchParams.get('state') || !/HttpOnly/i.test(cookie)) {
    console.error(`no sealed state cookie: ${response.status} ${cookie}`);
    process.exitCode = 1;
  }
});
