import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errorPage } from './views';

/**
 * CSRF defence for the example's POST routes: a random token per session,
 * rendered into each form and required back. SameSite=Lax alone lets a
 * same-site page (another port, a subdomain) post a form here.
 */

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}

export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

export function requireCSRFToken(req: Request, res: Response, next: NextFunction): void {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  const expected = req.session.csrfToken;
  if (typeof sent === 'string' && expected !== undefined && sameText(sent, expected)) {
    next();
    return;
  }
  res.status(403).send(errorPage('This form did not come from this page, or has expired. Go back, reload the page and try again.'));
}

function sameText(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}
