import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
standIn.failNext(1, { type: 'quota-exceeded' });
const logged: unknown[] = [];
console.error = (...args: unknown[]) => void logged.push(...args);

// SNIPPET

expectTrue(logged.length === 1 && String(logged[0]).includes('QUOTA_EXCEEDED'), 'the quota 403 is reported by its message');
await standIn.close();
