import { expectTrue } from '../../../test/support/snippet-context.ts';

// SNIPPET

expectTrue(typeof clients[0]?.id === 'number', 'the seeded client has an id');
expectTrue(issuedDocuments[0]?.amount_gross === 122, 'the seeded invoice is totalled');
expectTrue(issuedDocuments[0]?.number === 1, 'the seeded invoice is numbered');
