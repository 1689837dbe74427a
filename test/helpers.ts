import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { expect } from 'chai';
import type { Request } from 'express';
import type { Strategy } from 'passport';
import { FattureInCloudAPIError, FattureInCloudError } from '../lib/index';

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, `file://${__dirname}/`), 'utf8')) as Record<string, unknown>;
}

/** Narrows, failing the test on anything else. */
export function asFattureInCloudError(error: unknown): FattureInCloudError {
  expect(error).to.be.instanceOf(FattureInCloudError);
  if (!(error instanceof FattureInCloudError)) throw new Error('unreachable');
  return error;
}

export function asAPIError(error: unknown): FattureInCloudAPIError {
  expect(error).to.be.instanceOf(FattureInCloudAPIError);
  if (!(error instanceof FattureInCloudAPIError)) throw new Error('unreachable');
  return error;
}

export const BASE = 'https://api-v2.fattureincloud.it';
export const CLIENT_ID = 'client-id-123';
export const CLIENT_SECRET = 'shh-client-secret-value';
export const CALLBACK_URL = 'http://localhost:3000/auth/fattureincloud/callback';
export const CODE = 'c/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.code-value-under-test';

export type Outcome =
  | { kind: 'success'; user: unknown; info: unknown }
  | { kind: 'fail'; challenge: unknown; status: number | undefined }
  | { kind: 'error'; error: Error }
  | { kind: 'redirect'; url: string; status: number | undefined }
  | { kind: 'pass' };

export interface FakeRequest {
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  session?: Record<string, unknown>;
}

/**
 * Runs one `authenticate` the way Passport does (on Object.create(strategy)),
 * resolves with the first action, and fails the test if a second one follows.
 */
export async function runStrategy(strategy: Strategy, request: FakeRequest, options: object = {}): Promise<Outcome> {
  const outcomes: Outcome[] = [];
  const settled = new Promise<Outcome>((resolve) => {
    const record = (outcome: Outcome): void => {
      outcomes.push(outcome);
      resolve(outcome);
    };
    const instance = Object.create(strategy) as Record<string, unknown> & { authenticate(req: Request, options: object): void };
    instance.success = (user: unknown, info: unknown) => record({ kind: 'success', user, info });
    instance.fail = (challenge: unknown, status?: number) => {
      // passport's fail(status) form
      if (typeof challenge === 'number') record({ kind: 'fail', challenge: undefined, status: challenge });
      else record({ kind: 'fail', challenge, status });
    };
    instance.error = (error: Error) => record({ kind: 'error', error });
    instance.redirect = (url: string, status?: number) => record({ kind: 'redirect', url, status });
    instance.pass = () => record({ kind: 'pass' });
    const req = {
      query: request.query ?? {},
      body: request.body,
      session: request.session ?? {},
      headers: { host: 'localhost:3000' },
      url: '/auth/fattureincloud/callback',
      method: 'GET',
      connection: {},
    } as unknown as Request;
    instance.authenticate(req, options);
  });
  const outcome = await settled;
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(outcomes, 'the strategy must act exactly once').to.have.length(1);
  return outcome;
}

/** Every way an error can be logged or serialized. */
export function serializations(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true }), String(error)];
  if (error instanceof Error) parts.push(error.message, error.stack ?? '');
  try {
    parts.push(JSON.stringify(error, Object.getOwnPropertyNames(error)));
  } catch {
    parts.push(JSON.stringify(error));
  }
  return parts.join('\n');
}

export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const text = serializations(error);
  for (const secret of secrets) expect(text, 'a secret leaked into the error').not.to.include(secret);
}
