/**
 * Hands a promise's outcome to a Node-style callback exactly once, outside the
 * promise chain: an exception thrown by the callback is the caller's, not an
 * unhandled rejection, and never triggers a second call.
 */
export function deliver<T>(promise: Promise<T>, done: (error: unknown, value?: T) => void): void {
  promise.then(
    (value) => process.nextTick(done, null, value),
    (error: unknown) => process.nextTick(done, error),
  );
}
