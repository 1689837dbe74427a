import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';
import { expiring } from '../../../test/support/stand-in-login.ts';

const logged: string[] = [];
console.log = (line: string) => void logged.push(line);
const { standIn, tokens, userID } = await snippetContext();

// SNIPPET

const stored = await tokens.store.read(userID);
await tokens.save(userID, expiring(stored!.tokens));
await tokens.get(userID);
expectTrue(logged.some((line) => JSON.parse(line).event === 'fattureincloud:token:refresh'), 'the refresh is logged as JSON');
expectTrue(!logged.join('\n').includes(stored!.tokens.refreshToken), 'no token is logged');
await standIn.close();
