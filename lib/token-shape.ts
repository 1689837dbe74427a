/**
 * What a Fatture in Cloud code or token can look like, checked before it is
 * sent anywhere or accepted from the provider: real ones are a few hundred
 * characters of printable ASCII. Anything else could not be sent in a header
 * (Node refuses it) or is an attempt at header injection.
 */
const MAX_TOKEN_LENGTH = 4096;

/** Why `value` cannot be a code or token, in words that never quote it; undefined when it can. */
export function tokenShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `not a string (${value === null ? 'null' : typeof value})`;
  if (value === '') return 'empty';
  if (value.length > MAX_TOKEN_LENGTH) return `longer than ${MAX_TOKEN_LENGTH} characters`;
  if (!/^[\x21-\x7e]+$/.test(value)) return 'not printable ASCII (spaces, control or non-ASCII characters)';
  return undefined;
}
