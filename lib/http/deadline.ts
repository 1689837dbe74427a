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

/** What a bounded call becomes on failure: the error for a timeout, and for a rejection. */
export interface DeadlineErrors<Call> {
  timedOut(call: Call): Error;
  failed(call: Call, error: unknown): Error;
}

interface Pending<Call> {
  /** The tick it started in. */
  readonly started: number;
  readonly call: Call;
  /** Cleared once the call settles. */
  reject: ((error: Error) => void) | undefined;
  next: Pending<Call> | undefined;
}

/** Ticks per bound: a call expires between `ms` and `ms` plus an eighth. */
const TICKS = 8;

/**
 * `withTimeout` for the many calls of one store, which all share one bound,
 * without a timer or a clock read per call: at tens of thousands of calls a
 * second both show (undici's fast timers make the same trade). One interval
 * ticks while calls are pending; a call expires once it has seen TICKS + 1
 * ticks, so between `ms` and `ms` + ms/TICKS after it started, never sooner.
 * Calls start in tick order, so a queue holds them and the oldest expire first.
 * `call` describes each call for `errors`, so no call needs closures of its own.
 */
export class Deadlines<Call> {
  private head: Pending<Call> | undefined;
  private tail: Pending<Call> | undefined;
  private ticks = 0;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    readonly ms: number,
    private readonly errors: DeadlineErrors<Call>,
  ) {}

  bound<T, R = T>(promise: Promise<T>, call: Call, mapValue?: (value: T) => R): Promise<R> {
    return new Promise((resolve, reject) => {
      const pending = this.add(call, reject);
      promise.then(
        (value) => {
          if (!this.settle(pending)) return;
          if (!mapValue) return resolve(value as unknown as R);
          // What mapValue throws is the caller's own failure, not one for errors.failed.
          try {
            resolve(mapValue(value));
          } catch (error) {
            reject(asError(error));
          }
        },
        (error: unknown) => {
          if (this.settle(pending)) reject(this.errors.failed(call, error));
        },
      );
    });
  }

  private add(call: Call, reject: (error: Error) => void): Pending<Call> {
    const pending: Pending<Call> = { started: this.ticks, call, reject, next: undefined };
    if (this.tail) this.tail.next = pending;
    else this.head = pending;
    this.tail = pending;
    this.ticker ??= setInterval(this.tick, this.ms / TICKS);
    return pending;
  }

  /** False for a call that timed out already. Settled calls leave from the front; most settle in the order they started. */
  private settle(pending: Pending<Call>): boolean {
    if (!pending.reject) return false;
    pending.reject = undefined;
    this.dropSettled();
    return true;
  }

  /** The ticker stops with the last pending call: it never keeps a process alive on its own. */
  private dropSettled(): void {
    while (this.head && !this.head.reject) this.head = this.head.next;
    if (this.head) return;
    this.tail = undefined;
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private readonly tick = (): void => {
    this.ticks += 1;
    while (this.head && this.ticks - this.head.started > TICKS) {
      const { reject, call } = this.head;
      this.head.reject = undefined;
      this.head = this.head.next;
      reject?.(this.errors.timedOut(call));
    }
    this.dropSettled();
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('the operation failed');
}
