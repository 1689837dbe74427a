import { tokenShapeProblem } from '../token-shape';

/**
 * Reads what Fatture in Cloud sent back to the callback URL, before any request
 * is made: the user said no, the provider reported an error, the parameters are
 * malformed, or there is a code to exchange. No parameters at all means the
 * request starts a new authorization.
 */
export type CallbackOutcome =
  | { kind: 'start' }
  | { kind: 'code' }
  | { kind: 'denied'; description: string | undefined }
  | { kind: 'provider_error'; error: string; description: string | undefined; uri: string | undefined }
  | { kind: 'invalid'; reason: string };


type Params = Record<string, unknown> | undefined;

export function readCallback(query: Params, body: Params): CallbackOutcome {
  const error = query?.error;
  if (error !== undefined) return readProviderError(query ?? {});
  const code = query?.code ?? body?.code;
  const state = query?.state ?? body?.state;
  if (code === undefined) {
    return state === undefined ? { kind: 'start' } : { kind: 'invalid', reason: 'the code parameter is missing' };
  }
  const problem = codeProblem(code);
  return problem ? { kind: 'invalid', reason: problem } : { kind: 'code' };
}

function readProviderError(query: Record<string, unknown>): CallbackOutcome {
  const error = singleString(query.error);
  if (error === undefined) return { kind: 'invalid', reason: 'the error parameter is not one single string' };
  const description = singleString(query.error_description);
  if (error === 'access_denied') return { kind: 'denied', description };
  return { kind: 'provider_error', error, description, uri: singleString(query.error_uri) };
}

function codeProblem(code: unknown): string | undefined {
  if (typeof code !== 'string') return 'the code parameter is not one single string';
  const problem = tokenShapeProblem(code);
  return problem === undefined ? undefined : `the code parameter is ${problem}`;
}

function singleString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
