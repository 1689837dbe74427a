import type { IncomingHttpHeaders } from 'node:http';

/**
 * A notification as Fatture in Cloud sends it, in either CloudEvents mode:
 * binary (the attributes as `ce-*` headers, `{"data":{"ids":[…]}}` as the
 * body) or structured (one JSON CloudEvent as the body). The docs give the
 * structured mode's content type both as `application/cloudevents+json` and
 * `application/json`, so the body tells the modes apart, not the header.
 */

export interface CloudEvent {
  id: string;
  type: string;
  subject: string;
  time: string;
  companyID: number;
  ids: number[];
}

/** A body or headers that no genuine notification has: 400, never handed on. */
export class MalformedEvent extends Error {}

/** Event ids are short (`198:` and a UUID); a longer one is not Fatture in Cloud's. */
const MAX_ATTRIBUTE_LENGTH = 256;

/** `body` as a framework left it: raw bytes, text, already parsed JSON, or undefined (nothing sent). */
export function parseCloudEvent(headers: IncomingHttpHeaders, body: unknown): CloudEvent {
  const json = jsonOf(body);
  const structured = isStructured(json);
  const attribute = (name: string): string => {
    const value = structured ? (json as Record<string, unknown>)[name] : headers[`ce-${name}`];
    if (typeof value !== 'string' || value === '' || value.length > MAX_ATTRIBUTE_LENGTH) throw new MalformedEvent(`The notification has no valid ${structured ? '' : 'ce-'}${name}`);
    return value;
  };
  const subject = attribute('subject');
  const companyID = /^company:(\d{1,15})$/.exec(subject)?.[1];
  if (companyID === undefined) throw new MalformedEvent('The notification\'s subject is not company:<id>');
  const data = structured ? (json as { data?: unknown }).data : (json as { data?: unknown } | undefined)?.data;
  return { id: attribute('id'), type: attribute('type'), subject, time: attribute('time'), companyID: Number(companyID), ids: idsOf(data) };
}

/** A structured event is a JSON object with the CloudEvents context attributes. */
function isStructured(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'specversion' in json && 'id' in json && 'type' in json;
}

function jsonOf(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return body;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedEvent('The notification\'s body is not JSON');
  }
}

/** `data.ids`, the records the event is about; none for the welcome event. */
function idsOf(data: unknown): number[] {
  const ids = (data as { ids?: unknown } | undefined)?.ids;
  if (ids === undefined) return [];
  if (!Array.isArray(ids) || !ids.every((id) => Number.isSafeInteger(id))) throw new MalformedEvent('The notification\'s data.ids is not a list of ids');
  return ids as number[];
}
