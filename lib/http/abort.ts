import { describeValue } from '../config';
import { asError } from '../errors';

/** `{ signal }`: an aborted caller stops waiting at once; work others share goes on for them. */
export interface AbortOptions {
  signal?: AbortSignal | undefined;
}

export function assertSignal(signal: unknown, where: string): asserts signal is AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${where}: signal must be an AbortSignal, got ${describeValue(signal)}`);
}

/**
 * `promise`, or the signal's reason (an `AbortError`) as soon as it is aborted,
 * whichever comes first. The promise itself runs on: a refresh other callers
 * wait for is theirs too. Its late failure is not left unhandled.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(error));
      },
    );
  });
}

/** The signal's reason (an `AbortError` unless the caller gave another Error), as `fetch` rejects. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** `ms` of waiting that an aborted signal ends at once, with its timer cleared. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
