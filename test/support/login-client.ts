/**
 * A scripted browser for load tests and benchmarks: follows the example's login
 * through the stand-in's consent page with fetch, keeping the session cookie,
 * then opens the clients page (one API call with the stored token).
 */
export interface LoginResult {
  ok: boolean;
  detail: string;
}

export async function loginThroughExample(appURL: string): Promise<LoginResult> {
  const signedIn = await signIn(appURL);
  if (!signedIn.ok) return { ok: false, detail: `callback answered ${signedIn.status}` };
  const clients = await signedIn.open('/clients');
  const html = await clients.text();
  const ok = clients.status === 200 && html.includes('Hello, Mario Rossi') && (html.match(/<tr><td>/g) ?? []).length === 3;
  return { ok, detail: `the clients page answered ${clients.status}` };
}

export interface SignedIn {
  /** The callback redirected where the app sends a signed-in user. */
  ok: boolean;
  status: number;
  /** Where the callback redirected. */
  location: string | null;
  /** A GET of `path` on the app, with the session cookie. */
  open(path: string): Promise<Response>;
  /** The session cookie, as a `cookie` header. */
  cookie(): string;
}

/** Logs in at `appURL` through the stand-in's consent page, keeping the session cookie. */
export async function signIn(appURL: string, landing = '/clients'): Promise<SignedIn> {
  let cookie = '';
  const step = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), cookie } });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0]!;
    return response;
  };
  const start = await step(`${appURL}/auth/fattureincloud`);
  const consentURL = new URL(start.headers.get('location') ?? '');
  await start.arrayBuffer();
  const form = new URLSearchParams({
    client_id: consentURL.searchParams.get('client_id') ?? '',
    redirect_uri: consentURL.searchParams.get('redirect_uri') ?? '',
    scope: consentURL.searchParams.get('scope') ?? '',
    state: consentURL.searchParams.get('state') ?? '',
    decision: 'approve',
  });
  const decision = await fetch(`${consentURL.origin}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  const callbackURL = decision.headers.get('location') ?? '';
  await decision.arrayBuffer();
  const callback = await step(callbackURL);
  await callback.arrayBuffer();
  const location = callback.headers.get('location');
  return { ok: location === landing, status: callback.status, location, open: (path) => step(`${appURL}${path}`), cookie: () => cookie };
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns the results in order of completion. */
export async function runBounded<T>(total: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      results.push(await task(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}
