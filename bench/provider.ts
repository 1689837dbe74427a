import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listPage } from '../lib/testing/api/listing';
import { clientsOf } from '../lib/testing/api/samples';
import { ACCOUNTANT_COMPANIES, SAMPLE_USER } from '../lib/testing/data';

/**
 * A bench-local Fatture in Cloud: accepts any code or refresh token, answers in
 * the documented shapes after `latency` ms, and counts token requests. Run in its
 * own process, so its CPU and memory stay out of the numbers being measured.
 */
let latency = 0;
let tokenRequests = 0;
let counter = 0;

const tokens = (): object => {
  counter += 1;
  return { token_type: 'bearer', access_token: `a/bench-access-${counter}`, refresh_token: `r/bench-refresh-${counter}`, expires_in: 86400 };
};

const routes: Record<string, () => object> = {
  'POST /oauth/token': () => {
    tokenRequests += 1;
    return tokens();
  },
  'GET /user/info': () => ({ data: SAMPLE_USER }),
  'GET /user/companies': () => ({ data: { companies: ACCOUNTANT_COMPANIES.map((company) => ({ ...company, access_token: 'company-token' })) } }),
  'GET /c/12345/entities/clients': () => listPage(clientsOf(12345), new URLSearchParams(), 'http://127.0.0.1/c/12345/entities/clients', { basic: [] }),
  'GET /stats': () => ({ tokenRequests }),
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://bench');
  if (url.pathname === '/control') {
    latency = Number(url.searchParams.get('latency') ?? latency);
    if (url.searchParams.has('reset')) tokenRequests = 0;
    res.end('{}');
    return;
  }
  req.resume();
  req.on('end', () => {
    const route = routes[`${req.method} ${url.pathname}`];
    const reply = (): void => {
      if (!route) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(route()));
    };
    if (latency > 0 && url.pathname !== '/stats') setTimeout(reply, latency);
    else reply();
  });
}

const server = createServer(handle);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
