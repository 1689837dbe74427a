import { FattureInCloudQuota } from 'passport-fattureincloud';
import { expectTrue } from '../../../test/support/snippet-context.ts';

const quota = new FattureInCloudQuota();
const companyID = 12345;

// SNIPPET

expectTrue(hour.remaining === 1000 && month.limit === 40000, 'an untouched budget');
