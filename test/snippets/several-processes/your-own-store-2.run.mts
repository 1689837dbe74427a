import { expectTrue } from '../../../test/support/snippet-context.ts';

// SNIPPET

expectTrue(properties.length === 9, 'checkTokenStore names the 9 properties it checked');
