/**
 * What a Fatture in Cloud code or token can look like, checked before it is
 * sent anywhere: real ones are a few hundred characters of URL-safe text.
 */
export const MAX_TOKEN_LENGTH = 4096;

/** Spaces or control characters: never in a real token, and a header-injection risk. */
export function hasSpaceOrControl(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\s\u0000-\u001f\u007f]/.test(value);
}
