import { expectTrue } from '../../../test/support/snippet-context.ts';

// SNIPPET

expectTrue(properties.length === 8, 'checkTokenStore names the 8 properties it checked');
