import type { IncomingHttpHeaders } from 'node:http';

/** A request as any framework can give it; `body` as its body parser left it (bytes, text, parsed JSON or undefined). */
export interface WebhookRequest {
  method: string;
  /** The path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface WebhookAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Bigger than any notification (ids only); what is bigger is refused before it is read whole. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;
