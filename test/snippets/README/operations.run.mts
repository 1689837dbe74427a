import { expectTrue } from '../../../test/support/snippet-context.ts';

// SNIPPET

expectTrue(diagnosticsChannel.hasSubscribers(CHANNELS.deadGrant), 'the subscriber is on the dead-grant channel');
