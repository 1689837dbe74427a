/**
 * `promise`, or the error `onTimeout` makes once `ms` have passed, whichever
 * comes first; the timer never outlives the outcome. The late outcome of a
 * promise that lost is ignored, never left as an unhandled rejection.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error, mapError: (error: unknown) => Error = asError): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(mapError(error));
      },
    );
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('the operation failed');
}
