import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/**
 * What the receiver tests send: events signed as Fatture in Cloud signs them
 * (with a key of the test's own), over real HTTP to a receiver on loopback.
 */

export const ISSUER = 'https://api-v2.fattureincloud.it';
export const CLIENTS_CREATE = 'it.fattureincloud.webhooks.entities.clients.create';

export interface TestKey {
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicPEM: string;
}

export function testKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicKey, privateKey, publicPEM: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export interface TestEvent {
  id: string;
  type: string;
  subject: string;
  time: string;
  ids: number[];
}

export function testEvent(overrides: Partial<TestEvent> = {}): TestEvent {
  return { id: `198:${randomUUID()}`, type: CLIENTS_CREATE, subject: 'company:12345', time: '2026-12-05T12:54:21+02:00', ids: [3062300], ...overrides };
}

export interface Claims {
  iss?: string;
  aud?: string[] | string;
  sub?: string;
  jti?: string;
  aid?: string | number;
  iat?: number;
  exp?: number;
}

/** An ES256 JWT with the claims given; the defaults fit `event` at `sink`. */
export async function signFor(key: KeyObject, sink: string, event: Pick<TestEvent, 'id' | 'subject'>, claims: Claims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: ISSUER, aud: [sink], sub: event.subject, jti: event.id, aid: 'app-1', iat: now, exp: now + 3 * 3600, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(key);
}

/** A JWT with any header and no signature check of ours: `alg: none`, HS256… */
export function unsignedToken(header: object, payload: object, signature = ''): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

export type Mode = 'binary' | 'structured' | 'structured-as-json';

/** POSTs `event` to `url` as Fatture in Cloud does, in `mode`. */
export async function postEvent(url: string, event: TestEvent, token: string | undefined, mode: Mode = 'binary'): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { 'User-Agent': 'FattureInCloud/API-WEBHOOK', ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) };
  let body: string;
  if (mode === 'binary') {
    Object.assign(headers, { 'ce-id': event.id, 'ce-type': event.type, 'ce-time': event.time, 'ce-subject': event.subject, 'ce-source': ISSUER, 'ce-specversion': '1.0', 'Content-Type': 'application/json' });
    body = JSON.stringify({ data: { ids: event.ids } });
  } else {
    headers['Content-Type'] = mode === 'structured' ? 'application/cloudevents+json' : 'application/json';
    body = JSON.stringify({ id: event.id, source: ISSUER, specversion: '1.0', type: event.type, subject: event.subject, time: event.time, datacontenttype: 'application/json', data: { ids: event.ids } });
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
