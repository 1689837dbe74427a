import passport from 'passport';
import type { FattureInCloudVerify } from 'passport-fattureincloud';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const verify: FattureInCloudVerify = (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id });
const tokenSet = { refreshToken: 'r/a-refresh-token-it-never-issued' };
const firstRefreshToken = tokenSet.refreshToken;

// SNIPPET

expectTrue(standIn.latency === 200 && standIn.companies === ACCOUNTANT_COMPANIES, 'the settings took');
