import { FattureInCloudError } from '../errors';

/**
 * JSON from Fatture in Cloud, parsed as if hostile: nesting is bounded before
 * parsing (deep arrays end in a RangeError further on), and `__proto__` and
 * `constructor` keys are dropped, so no object we hand on (verify's `params`,
 * the profile) carries them into an app's `Object.assign` or merge.
 */

/** Fatture in Cloud's deepest answer nests 5 levels; this leaves room, not recursion depth. */
const MAX_JSON_DEPTH = 64;

/** Undefined when the text is not JSON: a SyntaxError would quote the body, which may hold a token. */
export function parseJSON(text: string, label: string, status: number): unknown {
  if (depthExceeds(text, MAX_JSON_DEPTH)) {
    throw new FattureInCloudError(`Fatture in Cloud answered ${label} with JSON nested deeper than ${MAX_JSON_DEPTH} levels`, {
      code: 'invalid_response',
      status,
    });
  }
  try {
    // The reviver costs a walk of every value: only pay it when a dangerous key may be there.
    return mayHoldDangerousKey(text) ? (JSON.parse(text, dropDangerousKeys) as unknown) : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function dropDangerousKeys(key: string, value: unknown): unknown {
  return DANGEROUS_KEYS.has(key) ? undefined : value;
}

/** A key may also be spelled with `\u` escapes. */
function mayHoldDangerousKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u');
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** One pass over the text, skipping strings; malformed JSON is left for JSON.parse to refuse. */
function depthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === BACKSLASH) index++;
      else if (char === QUOTE) inString = false;
    } else if (char === QUOTE) {
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
