import { expectTrue, snippetContext } from '../../../test/support/snippet-context.ts';

const { standIn, tokens } = await snippetContext();
const logged: string[] = [];
console.log = (line: string) => void logged.push(line);

// SNIPPET

expectTrue(report.skipped === 1 && logged[0] === 'refreshed 0, dead 0, failed 0, skipped 1', 'a fresh set is left alone, and reported');
await standIn.close();
