import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FattureInCloudCompany, FattureInCloudUser } from '../login/profile';
import { isFattureInCloudScope } from '../oauth/scopes';
import { type APIAnswer, CompanyAPI, notTheirCompany } from './api/company-api';
import { StandInLimits, type StandInQuotaOptions } from './limits';
import { SAMPLE_USER, SINGLE_COMPANY } from './data';
import { type FaultAnswer, FaultQueue, type FaultStats, faultAnswer, faultProblem, emptyFaultStats, type StandInFault, UNAUTHORIZED } from './faults';
import { type AccessGrant, Grants, randomToken } from './grants';
import { consentPage, errorPage } from './pages';
import { readBounded } from '../http/body';
import { isSubscriptionPath, subscriptionAnswer } from './webhooks/routes';
import { DEFAULT_RETRY_DELAYS_MS, WEBHOOK_FAULTS, type WebhookAttempt, type WebhookFault, WebhookSender } from './webhooks/sender';
import { SubscriptionBook, subscriptionView } from './webhooks/subscriptions';
import { isLoopbackHost } from './loopback';

/**
 * A Fatture in Cloud stand-in on loopback, built on node:http alone: the OAuth
 * endpoints, the two user endpoints and the company API (./api), with the
 * documented token prefixes, lifetimes, rotation, scopes, error shapes and
 * request limits. For offline development and tests.
 */

export interface StandInOptions {
  /** Default 'stand-in-client-id'. */
  clientID?: string;
  /** Default 'stand-in-client-secret'. */
  clientSecret?: string;
  /** The registered redirect URL (or URLs), compared as a plain string as Fatture in Cloud does. */
  redirectURI: string | readonly string[];
  /** Shown on the consent page. Default 'Example app'. */
  appName?: string;
  /** Approve every valid authorization at once, with no consent page: for an app's own tests, which need no form handling. Default false. */
  autoApprove?: boolean;
  user?: FattureInCloudUser;
  /** Default: one company. See ACCOUNTANT_COMPANIES for an accountant. */
  companies?: FattureInCloudCompany[];
  /** Default 0: any free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Milliseconds added before every answer, to model network distance. */
  latency?: number;
  /** Fatture in Cloud's request limits per company: default 1000 an hour, 40000 a month, no short-term limit. */
  quota?: StandInQuotaOptions;
  /** The app id the webhook JWTs carry as `aid`. Default 'stand-in-app'. */
  appID?: string;
  /** Milliseconds between a webhook's 4 attempts, while the sink answers 5xx. Default [1000, 4000, 16000]. */
  webhookRetryDelays?: readonly number[];
}

export interface StandInStats {
  authorizeRequests: number;
  tokenRequests: number;
  apiRequests: number;
  /** API answers by fault: those `failNext` queued, and every 401 (revoked, expired or unknown token). */
  faults: FaultStats;
  /** Company calls refused for the limits (`quota`): a 403 past the hour or the month, a 429 past the short-term limit. */
  refusedForQuota: number;
}

/** Records to put in place for a test, as the API would hold them (ids kept when given). */
export interface StandInSeed {
  /** Default: the user's first company. */
  companyID?: number;
  clients?: Record<string, unknown>[];
  suppliers?: Record<string, unknown>[];
  products?: Record<string, unknown>[];
  /** Numbered and totalled as if created through the API. */
  issuedDocuments?: Record<string, unknown>[];
}

/** The records as the stand-in stored them, with their ids. */
export interface StandInSeeded {
  clients: Record<string, unknown>[];
  suppliers: Record<string, unknown>[];
  products: Record<string, unknown>[];
  issuedDocuments: Record<string, unknown>[];
}

export interface FattureInCloudStandIn {
  /** Pass as the strategy's `baseURL`. */
  readonly baseURL: string;
  readonly clientID: string;
  readonly clientSecret: string;
  readonly stats: StandInStats;
  user: FattureInCloudUser;
  companies: FattureInCloudCompany[];
  latency: number;
  /** Authorization codes issued and neither used nor expired yet. */
  readonly pendingCodes: number;
  /** Moves the stand-in's clock forward, to expire codes and tokens. */
  advanceClock(milliseconds: number): void;
  /** Kills the grant `refreshToken` belongs to, as a user who disconnects the app: its next refresh is `invalid_grant`. */
  revokeRefreshToken(refreshToken: string): boolean;
  /** The live refresh token of the grant `refreshToken` belongs to (spent or not); undefined once revoked or expired. */
  currentRefreshToken(refreshToken: string): string | undefined;
  /** The next `count` API calls (after those already queued) fail with `fault`: 429, 403 quota, 5xx, 401 or a reset. */
  failNext(count: number, fault: StandInFault): void;
  /** Forgets the faults still queued. */
  clearFaults(): void;
  /** API calls with this access token get 401 from now on, as one revoked early; false for a token it never issued. */
  revokeAccessToken(accessToken: string): boolean;
  /** This access token expires now, whatever its `expires_in` said; false for a token it never issued. */
  expireAccessToken(accessToken: string): boolean;
  /** What a company has spent of its hour and month (company calls only: login and tokens are not counted). */
  quotaSpent(companyID: number): { hour: number; month: number };
  /** Puts clients, suppliers, products and issued documents in place, as the API would hold them (each a create event for the webhooks). */
  seed(data: StandInSeed): StandInSeeded;
  /** The public key (PEM) the stand-in signs its webhooks with: the receiver's `keys`. */
  readonly webhookPublicKey: string;
  /** The `aid` its webhook JWTs carry: the receiver's `appID`. */
  readonly appID: string;
  /** The webhook subscriptions of a company (default the user's first), as the API lists them. */
  subscriptions(companyID?: number): Record<string, unknown>[];
  /** Sends an event of any type to the company's subscriptions that take it, as a change to its data would. */
  sendWebhookEvent(event: { companyID?: number; type: string; ids: number[] }): void;
  /** The next event sent gets `fault`: delivered twice, after the next one, with a bad signature, an expired token or a wrong audience. */
  failNextWebhook(fault: WebhookFault): void;
  /** Every attempt to reach a sink (the last 1000): verification requests and events, with the status the sink answered. */
  readonly webhookAttempts: readonly WebhookAttempt[];
  /** Resolves once every webhook under way (retries included) has been delivered or given up. */
  webhooksIdle(): Promise<void>;
  now(): number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startFattureInCloudStandIn(options: StandInOptions): Promise<FattureInCloudStandIn> {
  const state = new StandInState(options);
  const server = createServer((req, res) => {
    const respond = (): void => void handle(state, req, res).catch(() => sendJSON(res, 500, { error: { message: 'Stand-in failure', code: 'INTERNAL' } }));
    if (state.latency > 0) setTimeout(respond, state.latency);
    else respond();
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  state.baseURL = `http://${host}:${address.port}`;
  state.remote = !isLoopbackHost(address.address);
  return publicView(state, () => {
    state.webhooks.stop();
    return close(server);
  });
}

class StandInState {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly redirectURIs: readonly string[];
  readonly appName: string;
  user: FattureInCloudUser;
  companies: FattureInCloudCompany[];
  latency: number;
  readonly stats: StandInStats = { authorizeRequests: 0, tokenRequests: 0, apiRequests: 0, faults: emptyFaultStats(), refusedForQuota: 0 };
  readonly grants = new Grants(() => this.now());
  readonly faults = new FaultQueue();
  readonly limits: StandInLimits;
  readonly autoApprove: boolean;
  readonly appID: string;
  readonly subscriptions = new SubscriptionBook();
  readonly webhooks: WebhookSender;
  /** The company-scoped API: company info, clients, suppliers, products, issued documents. */
  readonly api = new CompanyAPI({ now: () => this.now(), baseURL: () => this.baseURL, companies: () => this.companies });
  /** Set once listening: the lists' page URLs are absolute, as the spec has them. */
  baseURL = '';
  /** Listening where other machines reach it: the control endpoints need the client secret. */
  remote = false;
  private clockOffset = 0;

  constructor(options: StandInOptions) {
    // Checked for JavaScript callers, whom the type does not bind.
    const redirectURI = (options as Partial<StandInOptions> | undefined)?.redirectURI;
    const redirectURIs = typeof redirectURI === 'string' ? [redirectURI] : Array.isArray(redirectURI) ? (redirectURI as unknown[]) : [];
    if (redirectURIs.length === 0 || !redirectURIs.every((uri) => typeof uri === 'string' && URL.canParse(uri))) {
      throw new TypeError('startFattureInCloudStandIn requires redirectURI: the registered redirect URL, or a list of them');
    }
    this.redirectURIs = redirectURIs as string[];
    this.clientID = options.clientID ?? 'stand-in-client-id';
    this.clientSecret = options.clientSecret ?? 'stand-in-client-secret';
    this.appName = options.appName ?? 'Example app';
    this.user = options.user ?? SAMPLE_USER;
    this.companies = options.companies ?? SINGLE_COMPANY;
    this.latency = options.latency ?? 0;
    this.limits = new StandInLimits(options.quota);
    this.autoApprove = options.autoApprove === true;
    this.appID = options.appID ?? 'stand-in-app';
    this.webhooks = new WebhookSender({ appID: this.appID, retryDelays: retryDelays(options.webhookRetryDelays), now: () => this.now(), book: this.subscriptions });
    this.api.onChange = ({ companyID, type, id }) => this.webhooks.notify(companyID, type, [id]);
  }

  /** The user's first company: where seeds and events go when no company is named. */
  get firstCompanyID(): number {
    return this.companies[0]?.id ?? 0;
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  advanceClock(milliseconds: number): void {
    this.clockOffset += milliseconds;
  }
}

/** What callers see: the settings tests may change, the counters, the clock and close(). */
function publicView(state: StandInState, close: () => Promise<void>): FattureInCloudStandIn {
  return {
      baseURL: state.baseURL,
      clientID: state.clientID,
      clientSecret: state.clientSecret,
      stats: state.stats,
      get user() { return state.user; },
      set user(user) { state.user = user; },
      get companies() { return state.companies; },
      set companies(companies) { state.companies = companies; },
      get latency() { return state.latency; },
      set latency(latency) { state.latency = latency; },
      get pendingCodes() { return state.grants.pendingCodes; },
      advanceClock: (milliseconds) => state.advanceClock(milliseconds),
      revokeRefreshToken: (refreshToken) => state.grants.revoke(refreshToken),
      currentRefreshToken: (refreshToken) => state.grants.currentRefreshToken(refreshToken),
      failNext: (count, fault) => state.faults.add(count, fault),
      clearFaults: () => state.faults.clear(),
      revokeAccessToken: (accessToken) => state.grants.endAccess(accessToken, 'revoke'),
      expireAccessToken: (accessToken) => state.grants.endAccess(accessToken, 'expire'),
      quotaSpent: (companyID) => state.limits.spent(companyID, state.now()),
      seed: (data) => state.api.seed(data.companyID ?? state.firstCompanyID, data),
      webhookPublicKey: state.webhooks.publicKey,
      appID: state.appID,
      subscriptions: (companyID) => state.subscriptions.list(companyID ?? state.firstCompanyID).map(subscriptionView),
      sendWebhookEvent: ({ companyID, type, ids }) => state.webhooks.notify(companyID ?? state.firstCompanyID, type, ids),
      failNextWebhook: (fault) => state.webhooks.failNext(fault),
      webhookAttempts: state.webhooks.attempts,
      webhooksIdle: () => state.webhooks.idle(),
      now: () => state.now(),
      close,
    };
}

type Route = (state: StandInState, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const USER_INFO_EXTRAS = {
  info: { need_marketing_consents_confirmation: false, need_password_change: false, need_terms_of_service_confirmation: false },
  email_confirmation_state: { need_confirmation: false },
};

const ROUTES: Record<string, Route> = {
  'GET /oauth/authorize': (state, req, res) => {
    state.stats.authorizeRequests += 1;
    showConsent(state, new URL(req.url ?? '/', 'http://stand-in').searchParams, res);
  },
  'POST /oauth/authorize': async (state, req, res) => {
    decide(state, await readForm(req), res);
  },
  'POST /oauth/token': async (state, req, res) => {
    state.stats.tokenRequests += 1;
    token(state, await readBody(req), res);
  },
  // Not Fatture in Cloud's: the counters, for processes that share a stand-in started from the command line.
  'GET /stand-in/stats': (state, _req, res) => {
    sendJSON(res, 200, state.stats);
  },
  // Not Fatture in Cloud's either: failNext for processes that share a stand-in, as `{ count, fault }`.
  'POST /stand-in/faults': async (state, req, res) => {
    if (mediaType(req) !== 'application/json') return sendJSON(res, 415, { error: { message: 'Send the fault as application/json', code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const { count = 1, fault } = await readBody(req);
    const problem = faultProblem(count, fault);
    if (problem) return sendJSON(res, 400, { error: { message: problem, code: 'INVALID_FAULT' } });
    state.faults.add(count as number, fault as StandInFault);
    res.writeHead(204).end();
  },
  // Not Fatture in Cloud's: revoke a grant or an access token, expire one, or move the clock, for an app in another process.
  'POST /stand-in/revoke': async (state, req, res) => {
    const { refreshToken, accessToken } = await readControl(req, res);
    const known = typeof refreshToken === 'string' ? state.grants.revoke(refreshToken) : typeof accessToken === 'string' ? state.grants.endAccess(accessToken, 'revoke') : undefined;
    controlAnswer(res, known, 'Send { "refreshToken": … } to revoke a grant, or { "accessToken": … } to revoke one access token');
  },
  'POST /stand-in/expire': async (state, req, res) => {
    const { accessToken } = await readControl(req, res);
    controlAnswer(res, typeof accessToken === 'string' ? state.grants.endAccess(accessToken, 'expire') : undefined, 'Send { "accessToken": … } to expire it now');
  },
  'POST /stand-in/clock': async (state, req, res) => {
    const { advanceMs } = await readControl(req, res);
    const valid = Number.isSafeInteger(advanceMs) && (advanceMs as number) > 0;
    if (valid) state.advanceClock(advanceMs as number);
    controlAnswer(res, valid || undefined, 'Send { "advanceMs": … }, a whole number of milliseconds above 0, to move the clock forward');
  },
  // Not Fatture in Cloud's: failNextWebhook and sendWebhookEvent for an app in another process.
  'POST /stand-in/webhooks': async (state, req, res) => {
    const { fault, type, ids, companyID = state.firstCompanyID } = await readControl(req, res);
    const isFault = typeof fault === 'string' && (WEBHOOK_FAULTS as readonly unknown[]).includes(fault);
    const isEvent = typeof type === 'string' && Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id)) && Number.isSafeInteger(companyID);
    if (isFault) state.webhooks.failNext(fault as WebhookFault);
    if (isEvent) state.webhooks.notify(companyID as number, type, ids as number[]);
    controlAnswer(res, isFault || isEvent || undefined, `Send { "fault": one of ${WEBHOOK_FAULTS.join(', ')} } for the next event, or { "type", "ids": [...], "companyID"? } to send one`);
  },
  'GET /user/info': (state, req, res) => {
    return apiEndpoint(state, req, res, () => ({ status: 200, body: { data: state.user, ...USER_INFO_EXTRAS } }));
  },
  'GET /user/companies': (state, req, res) => {
    return apiEndpoint(state, req, res, () => ({ status: 200, body: { data: { companies: withAccessTokens(state.companies) } } }));
  },
};

const COMPANY_PATH = /^\/c\/(\d{1,15})(\/.*)$/;

async function handle(state: StandInState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  if (url.pathname.startsWith('/stand-in/')) {
    const refusal = controlRefusal(state, req);
    if (refusal) { sendJSON(res, refusal.status, { error: { message: refusal.message, code: 'CONTROL_REFUSED' } }); return; }
  }
  const handler = ROUTES[route];
  const company = COMPANY_PATH.exec(url.pathname);
  if (handler) await handler(state, req, res);
  else if (company) await companyEndpoint(state, req, res, Number(company[1]), company[2] ?? '', url.searchParams);
  else sendJSON(res, 404, { error: { message: `No route ${route}`, code: 'NOT_FOUND' } });
}

/**
 * What is wrong with an authorization request. An unknown client or an
 * unregistered redirect URI can only be told on the stand-in's own page (no
 * callback comes); anything else goes back to the app's redirect URI as
 * `error`, `error_description` and `state`, as RFC 6749 §4.1.2.1 says.
 */
type AuthorizeProblem = { page: string } | { error: string; description: string };

function authorizeProblem(state: StandInState, params: URLSearchParams): AuthorizeProblem | undefined {
  if (params.get('client_id') !== state.clientID) return { page: 'Unknown client_id.' };
  if (!state.redirectURIs.includes(params.get('redirect_uri') ?? '')) {
    return { page: `redirect_uri does not match the one registered for the app (${state.redirectURIs.join(', ')}).` };
  }
  if (params.get('response_type') !== 'code') return { error: 'unsupported_response_type', description: 'The authorization server does not support this response type: use response_type=code.' };
  const invalid = scopesOf(params).find((scope) => !isFattureInCloudScope(scope));
  return invalid === undefined ? undefined : { error: 'invalid_scope', description: `The requested scope is invalid: ${invalid}.` };
}

/** Back to the app's (registered) redirect URI with the error and the state it sent. */
function redirectWithError(res: ServerResponse, params: URLSearchParams, problem: { error: string; description: string }): void {
  const target = new URL(params.get('redirect_uri') ?? '');
  target.searchParams.set('error', problem.error);
  target.searchParams.set('error_description', problem.description);
  const echoedState = params.get('state');
  if (echoedState) target.searchParams.set('state', echoedState);
  res.writeHead(302, { Location: target.toString() }).end();
}

function scopesOf(params: URLSearchParams): string[] {
  return (params.get('scope') ?? '').split(' ').filter(Boolean);
}

function showConsent(state: StandInState, params: URLSearchParams, res: ServerResponse): void {
  const problem = authorizeProblem(state, params);
  if (problem) return 'page' in problem ? sendHTML(res, 400, errorPage(problem.page)) : redirectWithError(res, params, problem);
  const hidden = Object.fromEntries(['client_id', 'redirect_uri', 'scope', 'state'].map((name) => [name, params.get(name) ?? '']));
  if (state.autoApprove) return decide(state, new URLSearchParams({ ...hidden, decision: 'approve' }), res);
  sendHTML(res, 200, consentPage({ appName: state.appName, userName: state.user.name ?? 'a user', scopes: scopesOf(params), hidden }));
}

function decide(state: StandInState, form: URLSearchParams, res: ServerResponse): void {
  const problem = authorizeProblem(state, new URLSearchParams([...form, ['response_type', 'code']]));
  if (problem) return 'page' in problem ? sendHTML(res, 400, errorPage(problem.page)) : redirectWithError(res, form, problem);
  // authorizeProblem checked it is one of the registered ones.
  const redirectURI = form.get('redirect_uri') ?? '';
  const target = new URL(redirectURI);
  if (form.get('decision') === 'approve') {
    target.searchParams.set('code', state.grants.issueCode(redirectURI, form.get('scope') ?? ''));
  } else {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The user denied the authorization request.');
  }
  const echoedState = form.get('state');
  if (echoedState) target.searchParams.set('state', echoedState);
  res.writeHead(302, { Location: target.toString() }).end();
}

function token(state: StandInState, fields: Record<string, unknown>, res: ServerResponse): void {
  const refuse = (status: number, error: string, description: string): void =>
    sendJSON(res, status, { error, error_description: description }, { 'Retry-After': '0' });
  if (!fields.grant_type) return refuse(400, 'invalid_request', 'The grant type field is required.');
  if (fields.client_id !== state.clientID || fields.client_secret !== state.clientSecret) {
    return refuse(401, 'invalid_client', 'Client authentication failed.');
  }
  if (fields.grant_type === 'authorization_code') return exchangeCode(state, fields, res, refuse);
  if (fields.grant_type === 'refresh_token') return rotateRefreshToken(state, fields, res, refuse);
  refuse(400, 'unsupported_grant_type', 'The authorization grant type is not supported.');
}

type Refuse = (status: number, error: string, description: string) => void;

function exchangeCode(state: StandInState, fields: Record<string, unknown>, res: ServerResponse, refuse: Refuse): void {
  if (typeof fields.code !== 'string') return refuse(400, 'invalid_request', 'The code field is required when grant type is authorization_code.');
  const issued = state.grants.redeemCode(fields.code);
  if (!issued) return refuse(400, 'invalid_grant', 'The authorization code has expired or has already been used.');
  if (fields.redirect_uri !== issued.redirectURI) return refuse(400, 'invalid_grant', 'The redirect_uri does not match.');
  sendJSON(res, 200, state.grants.startGrant(issued.scope));
}

function rotateRefreshToken(state: StandInState, fields: Record<string, unknown>, res: ServerResponse, refuse: Refuse): void {
  if (typeof fields.refresh_token !== 'string') return refuse(400, 'invalid_request', 'The refresh token field is required.');
  const tokens = state.grants.rotate(fields.refresh_token);
  if (!tokens) return refuse(400, 'invalid_grant', 'The refresh token is invalid, expired or already used.');
  sendJSON(res, 200, tokens);
}

/**
 * Answers with `body(scopes)` for a live Bearer token, unless a fault is
 * queued; with the documented 401 for any other token; a company call counts
 * against that company's limits first, refused past them.
 */
async function apiEndpoint(state: StandInState, req: IncomingMessage, res: ServerResponse, body: (scopes: readonly string[]) => APIAnswer | Promise<APIAnswer>, companyID?: number): Promise<void> {
  state.stats.apiRequests += 1;
  const fault = state.faults.take();
  if (fault) state.stats.faults[fault.type] += 1;
  if (fault?.type === 'reset') return void res.socket?.destroy();
  const token = /^Bearer (a\/\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const access = token === undefined ? undefined : state.grants.access(token);
  const refusal = (fault && faultAnswer(fault)) ?? (access ? undefined : UNAUTHORIZED);
  if (refusal?.status === 401 && fault?.type !== 'unauthorized') state.stats.faults.unauthorized += 1;
  if (refusal) {
    sendError(res, refusal);
    return;
  }
  const limit = companyID === undefined ? { headers: state.limits.untouched() } : state.limits.call(companyID, state.now());
  if (limit.refusal) {
    state.stats.refusedForQuota += 1;
    sendError(res, limit.refusal, limit.headers);
    return;
  }
  const { status, body: answer } = await body((access as AccessGrant).scope);
  // Every answer carries the rate-limit counters, and an error Retry-After, as Fatture in Cloud's do.
  const headers = status < 400 ? limit.headers : { ...limit.headers, 'Retry-After': '0' };
  if (answer === undefined) return void res.writeHead(status, { 'Cache-Control': 'no-store', ...headers }).end();
  sendJSON(res, status, answer, headers);
}

function sendError(res: ServerResponse, { status, code, message, retryAfter }: FaultAnswer, headers: Record<string, string> = {}): void {
  sendJSON(res, status, { error: { message, code } }, { ...headers, 'Retry-After': String(retryAfter) });
}

/** `/c/{company_id}/…`: the company API, behind the same token check and faults as every API call. */
async function companyEndpoint(state: StandInState, req: IncomingMessage, res: ServerResponse, companyID: number, path: string, query: URLSearchParams): Promise<void> {
  const method = req.method ?? 'GET';
  const body = method === 'POST' || method === 'PUT' ? await readBody(req) : {};
  const answer = isSubscriptionPath(path)
    ? (scopes: readonly string[]) => notTheirCompany(state.companies, companyID) ?? subscriptionAnswer(state.subscriptions, state.webhooks, { method, companyID, path, body, scopes, now: state.now() })
    : (scopes: readonly string[]) => state.api.answer({ method, companyID, path, query, body, scopes });
  await apiEndpoint(state, req, res, answer, companyID);
}

/** Real companies carry a live access token each; the stand-in mints one per answer. */
function withAccessTokens(companies: readonly FattureInCloudCompany[]): FattureInCloudCompany[] {
  return companies.map((company) => ({
    ...company,
    access_token: randomToken(),
    ...(company.controlled_companies ? { controlled_companies: withAccessTokens(company.controlled_companies) } : {}),
  }));
}

/**
 * The control endpoints (`/stand-in/…`) change what every app sharing the
 * stand-in sees. On loopback, only a request naming a loopback host is taken
 * (a page on another name, DNS-rebound to 127.0.0.1, is not); reachable from
 * other machines, only one that sends the client secret as a bearer token.
 */
function controlRefusal(state: StandInState, req: IncomingMessage): { status: number; message: string } | undefined {
  if (state.remote) {
    return req.headers.authorization === `Bearer ${state.clientSecret}` ? undefined : { status: 401, message: 'The stand-in listens beyond loopback: send Authorization: Bearer <client secret> to its control endpoints' };
  }
  const hostname = URL.parse(`http://${req.headers.host ?? ''}`)?.hostname.replace(/^\[|\]$/g, '') ?? '';
  return isLoopbackHost(hostname) ? undefined : { status: 403, message: 'The stand-in takes control requests only for a loopback host name' };
}

/** A control request's JSON body; an empty one (and a 415 sent) for any other media type. */
async function readControl(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown>> {
  if (mediaType(req) === 'application/json') return readBody(req);
  sendJSON(res, 415, { error: { message: 'Send the control request as application/json', code: 'UNSUPPORTED_MEDIA_TYPE' } });
  return {};
}

/** 204 when it was done; 404 for a token the stand-in never issued; 400 for a request it cannot read. */
function controlAnswer(res: ServerResponse, done: boolean | undefined, usage: string): void {
  if (res.headersSent) return;
  if (done === undefined) return sendJSON(res, 400, { error: { message: usage, code: 'INVALID_REQUEST' } });
  if (!done) return sendJSON(res, 404, { error: { message: 'The stand-in never issued that token, or it is gone already', code: 'NOT_FOUND' } });
  res.writeHead(204).end();
}

/** `application/json` from `Application/JSON; charset=utf-8`; '' when there is none. */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  // The essence only: a page's `text/plain; x=application/json` is a form a browser sends anywhere without asking.
  if (mediaType(req) === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readText(req));
}

async function readText(req: IncomingMessage): Promise<string> {
  return (await readBounded(req, req.headers, MAX_BODY_BYTES)).toString('utf8');
}

function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers }).end(JSON.stringify(body));
}

function sendHTML(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
}

function retryDelays(delays: readonly number[] | undefined): readonly number[] {
  if (delays === undefined) return DEFAULT_RETRY_DELAYS_MS;
  if (!Array.isArray(delays) || delays.length !== 3 || !(delays as unknown[]).every((delay) => Number.isSafeInteger(delay) && (delay as number) >= 0)) {
    throw new TypeError('startFattureInCloudStandIn: webhookRetryDelays must be the 3 waits, in ms, between the 4 attempts');
  }
  return [...(delays as number[])];
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
