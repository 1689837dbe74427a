import { randomBytes } from 'node:crypto';

/**
 * What the stand-in has issued: single-use codes, access tokens with their
 * scope, and refresh tokens that rotate along a grant (one user's consent to
 * one app). Everything expires and is swept, so long runs do not grow it.
 */

const CODE_LIFETIME_MS = 60_000;
const ACCESS_LIFETIME_S = 86_400;
const REFRESH_LIFETIME_MS = 365 * 86_400_000;

export interface IssuedCode {
  redirectURI: string;
  scope: string;
  expiresAt: number;
}

/** One user's consent: its scope, and the one refresh token that is current. */
interface Grant {
  scope: string;
  current: string | undefined;
}

export interface AccessGrant {
  expiresAt: number;
  scope: readonly string[];
}

export interface TokenResponseBody {
  token_type: 'bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  [field: string]: unknown;
}

export function randomToken(): string {
  return randomBytes(24).toString('base64url');
}

export class Grants {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, { expiresAt: number; grant: Grant }>();
  /** Every refresh token a grant ever had, spent ones included, to tell a grant's current token. */
  private readonly chains = new Map<string, Grant>();
  private nextSweep = 0;

  constructor(private readonly now: () => number) {}

  get pendingCodes(): number {
    return this.codes.size;
  }

  issueCode(redirectURI: string, scope: string): string {
    this.sweep();
    const code = `c/${randomToken()}`;
    this.codes.set(code, { redirectURI, scope, expiresAt: this.now() + CODE_LIFETIME_MS });
    return code;
  }

  /** The code's grant, once: a code is gone after its first use, spent or not. */
  redeemCode(code: string): IssuedCode | undefined {
    const issued = this.codes.get(code);
    this.codes.delete(code);
    return issued && issued.expiresAt > this.now() ? issued : undefined;
  }

  startGrant(scope: string): TokenResponseBody {
    return this.issueTokens({ scope, current: undefined });
  }

  /** New tokens for a live refresh token, which is spent; undefined for a dead one. */
  rotate(refreshToken: string): TokenResponseBody | undefined {
    const entry = this.refreshTokens.get(refreshToken);
    this.refreshTokens.delete(refreshToken);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return this.issueTokens(entry.grant);
  }

  /** Kills a refresh token, as a user who disconnects the app does. */
  revoke(refreshToken: string): boolean {
    const grant = this.chains.get(refreshToken);
    if (grant?.current !== undefined) this.refreshTokens.delete(grant.current);
    if (grant) grant.current = undefined;
    return grant !== undefined;
  }

  /** The refresh token that is live now in the grant `refreshToken` belongs to (spent or not). */
  currentRefreshToken(refreshToken: string): string | undefined {
    return this.chains.get(refreshToken)?.current;
  }

  /** Ends an access token before its time: gone (revoked) or expired now; false for one never issued or already swept. */
  endAccess(accessToken: string, how: 'revoke' | 'expire'): boolean {
    const grant = this.accessTokens.get(accessToken);
    if (!grant) return false;
    if (how === 'revoke') this.accessTokens.delete(accessToken);
    else grant.expiresAt = this.now();
    return true;
  }

  access(accessToken: string): AccessGrant | undefined {
    const grant = this.accessTokens.get(accessToken);
    return grant && grant.expiresAt > this.now() ? grant : undefined;
  }

  private issueTokens(grant: Grant): TokenResponseBody {
    const accessToken = `a/${randomToken()}`;
    const refreshToken = `r/${randomToken()}`;
    this.accessTokens.set(accessToken, { expiresAt: this.now() + ACCESS_LIFETIME_S * 1000, scope: grant.scope.split(' ').filter(Boolean) });
    this.refreshTokens.set(refreshToken, { expiresAt: this.now() + REFRESH_LIFETIME_MS, grant });
    this.chains.set(refreshToken, grant);
    grant.current = refreshToken;
    // After the grant moved on to its new token: a sweep before would see the spent one gone and forget the grant's chain.
    this.sweep();
    return { token_type: 'bearer', access_token: accessToken, refresh_token: refreshToken, expires_in: ACCESS_LIFETIME_S };
  }

  /** At most once a code lifetime: forgets what has expired (unused codes after 60 s). */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + CODE_LIFETIME_MS;
    for (const [code, issued] of this.codes) if (issued.expiresAt <= now) this.codes.delete(code);
    for (const [token, grant] of this.accessTokens) if (grant.expiresAt <= now) this.accessTokens.delete(token);
    for (const [token, entry] of this.refreshTokens) if (entry.expiresAt <= now) this.refreshTokens.delete(token);
    for (const [token, grant] of this.chains) if (grant.current === undefined || !this.refreshTokens.has(grant.current)) this.chains.delete(token);
  }
}
