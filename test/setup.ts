import { expect } from 'chai';
import { forgetNotRun, reportNotRun } from './support/servers';

/**
 * Root hooks: any unhandled rejection or uncaught exception during a test fails
 * it, so "no crash, no unhandled rejection" is checked everywhere, not only
 * where a test remembers to look.
 */
const escaped: unknown[] = [];
const record = (error: unknown): void => void escaped.push(error);

export const mochaHooks = {
  beforeAll(): void {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  },
  async afterEach(): Promise<void> {
    // Let stray promise jobs and timers of the test settle before looking.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const found = escaped.splice(0);
    expect(found, 'unhandled rejections or uncaught exceptions').to.deep.equal([]);
  },
  afterAll(): void {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  },
};

/** Once for the whole run, in mocha's main process (its parallel workers included). */
export function mochaGlobalSetup(): void {
  forgetNotRun();
}

export function mochaGlobalTeardown(): void {
  reportNotRun();
}
