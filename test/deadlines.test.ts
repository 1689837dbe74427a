import { expect } from 'chai';
import { Deadlines } from '../lib/http/deadline';

/** The calls of one store under one bound (lib/deadline.ts): one ticker, no timer per call. */
describe('Deadlines', () => {
  interface Call {
    name: string;
  }
  const failures: string[] = [];
  function deadlines(ms: number): Deadlines<Call> {
    return new Deadlines<Call>(ms, {
      timedOut: ({ name }) => new Error(`${name} timed out`),
      failed: ({ name }, error) => {
        failures.push(name);
        return new Error(`${name} failed: ${(error as Error).message}`);
      },
    });
  }
  const never = (): Promise<never> => new Promise<never>(() => undefined);
  /** Intervals started and not yet cleared, counted at setInterval and clearInterval themselves. */
  const live = new Set<unknown>();
  const { setInterval: realSetInterval, clearInterval: realClearInterval } = globalThis;
  const tickers = (): number => live.size;

  beforeEach(() => {
    failures.length = 0;
    live.clear();
    globalThis.setInterval = ((...args: Parameters<typeof realSetInterval>) => {
      const interval = realSetInterval(...args);
      live.add(interval);
      return interval;
    }) as typeof setInterval;
    globalThis.clearInterval = ((interval: NodeJS.Timeout | undefined) => {
      live.delete(interval);
      realClearInterval(interval);
    }) as typeof clearInterval;
  });
  afterEach(() => {
    globalThis.setInterval = realSetInterval;
    globalThis.clearInterval = realClearInterval;
  });

  it('expires a call that never settles after ms, and no later than ms plus an eighth (and a little scheduling)', async () => {
    const bound = deadlines(400);
    const started = performance.now();
    const error = await bound.bound(never(), { name: 'hung' }).catch((caught: unknown) => caught as Error);
    const elapsed = performance.now() - started;
    expect(error.message).to.equal('hung timed out');
    expect(elapsed).to.be.at.least(399);
    // An eighth is 50 ms; the rest is room for a loaded machine.
    expect(elapsed).to.be.below(400 + 50 + 250);
  });

  it('expires the hung call only: calls started before and after it settle as they do, through mapValue', async () => {
    const bound = deadlines(200);
    let resolveLate: (value: number) => void = () => undefined;
    const late = new Promise<number>((resolve) => (resolveLate = resolve));
    const outcomes = Promise.allSettled([
      bound.bound(late, { name: 'late' }, (value) => value * 2),
      bound.bound(never(), { name: 'hung' }),
      bound.bound(Promise.resolve(3), { name: 'quick' }, (value) => value + 1),
    ]);
    setTimeout(() => resolveLate(21), 50);
    const [first, hung, quick] = await outcomes;
    expect(first).to.deep.equal({ status: 'fulfilled', value: 42 });
    expect(hung.status === 'rejected' && (hung.reason as Error).message).to.equal('hung timed out');
    expect(quick).to.deep.equal({ status: 'fulfilled', value: 4 });
  });

  it('maps a rejection through errors.failed, once; what mapValue throws rejects as it is', async () => {
    const bound = deadlines(1000);
    const failed = await bound.bound(Promise.reject(new Error('refused')), { name: 'refused' }).catch((caught: unknown) => caught as Error);
    expect(failed.message).to.equal('refused failed: refused');
    const thrown = await bound
      .bound(Promise.resolve('{'), { name: 'corrupt' }, (text) => JSON.parse(text) as unknown)
      .catch((caught: unknown) => caught as Error);
    expect(thrown).to.be.instanceOf(SyntaxError);
    expect(failures).to.deep.equal(['refused']);
  });

  it('ignores the outcome of a call that already timed out: no second settlement, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const bound = deadlines(80);
      let rejectLate: (error: Error) => void = () => undefined;
      const late = new Promise<never>((_resolve, reject) => (rejectLate = reject));
      const error = await bound.bound(late, { name: 'slow' }).catch((caught: unknown) => caught as Error);
      expect(error.message).to.equal('slow timed out');
      rejectLate(new Error('finally'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(failures).to.deep.equal([]);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('ticks only while a call is pending, so it never keeps a process alive by itself', async () => {
    const bound = deadlines(10_000);
    let resolveSlow: (value: string) => void = () => undefined;
    const slow = bound.bound(new Promise<string>((resolve) => (resolveSlow = resolve)), { name: 'slow' });
    const quick = bound.bound(Promise.resolve('quick'), { name: 'quick' });
    expect(tickers()).to.equal(1);
    expect(await quick).to.equal('quick');
    // The older call still pends: the ticker stays.
    expect(tickers()).to.equal(1);
    resolveSlow('slow');
    expect(await slow).to.equal('slow');
    expect(tickers()).to.equal(0);
  });

  it('bounds 10,000 calls at once with a single ticker', async () => {
    const bound = deadlines(5_000);
    const calls = Array.from({ length: 10_000 }, (_, index) => bound.bound(Promise.resolve(index), { name: `call ${index}` }));
    expect(tickers()).to.equal(1);
    const values = await Promise.all(calls);
    expect(values[9_999]).to.equal(9_999);
    expect(tickers()).to.equal(0);
  });
});
