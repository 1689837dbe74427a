import { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const standIn = await startFattureInCloudStandIn({ redirectURI: 'http://localhost:3000/auth/fattureincloud/callback' });
const accessToken = 'a/a-token-it-never-issued';

// SNIPPET

const answer = await fetch(`${standIn.baseURL}/user/info`);
expectTrue(answer.status === 200 || answer.status === 401, 'faults were cleared');
await standIn.close();
