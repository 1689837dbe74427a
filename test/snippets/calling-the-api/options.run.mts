import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens, userID, companyID } = await snippetContext();
const warned: unknown[] = [];
console.warn = (...args: unknown[]) => void warned.push(...args);

// SNIPPET

expectTrue(warned.length === 0, 'no warning with 999 calls left this hour');
await standIn.close();
