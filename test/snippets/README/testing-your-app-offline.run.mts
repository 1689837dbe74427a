import passport from 'passport';
import type { FattureInCloudVerify } from 'passport-fattureincloud';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const verify: FattureInCloudVerify = (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id });

// SNIPPET

expectTrue(standIn.stats.authorizeRequests === 0, 'the stand-in counted nothing yet');
