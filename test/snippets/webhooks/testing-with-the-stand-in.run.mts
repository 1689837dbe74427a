import type { FattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { grantAtStandIn } from '../../../test/support/stand-in-login.ts';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const redirectURI = 'http://localhost:3000/auth/fattureincloud/callback';
/** Your test's login, as test/support does it (or a browser through the consent page). */
const logInAtStandIn = (standIn: FattureInCloudStandIn) => grantAtStandIn(standIn, redirectURI);

// SNIPPET

expectTrue(created.length === 1 && created[0] === acme?.id, 'the seeded client came as a webhook');
server.close();
await standIn.close();
