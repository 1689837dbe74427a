import { request } from 'node:http';
import { expect } from 'chai';
import { createApp } from '../example/app';
import { listClients } from '../example/fattureincloud-api';
import { FattureInCloudTokens } from '../lib/index';
import { startFattureInCloudStandIn } from '../lib/testing/index';
import { serve } from './support/loopback';
import { grantAtStandIn } from './support/stand-in-login';

const CALLBACK = 'https://app.example.com:8443/auth/fattureincloud/callback';

/** A GET with the Host header we choose (fetch will not let a test set it). */
function get(baseURL: string, path: string, host: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseURL);
    const req = request({ hostname, port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the example app: host redirect and API errors', () => {
  it('sends another host to the callback\'s own origin, and refuses a path that would name another host', async () => {
    const app = createApp({ strategy: { clientID: 'id', clientSecret: 'secret', callbackURL: CALLBACK, baseURL: 'http://127.0.0.1:9' }, providerLabel: 'test' });
    const server = await serve((req, res) => void app(req, res));
    try {
      expect(await get(server.baseURL, '/clients?company=1', '127.0.0.1')).to.deep.equal({ status: 308, location: 'https://app.example.com:8443/clients?company=1' });
      expect((await get(server.baseURL, '//localhost:6379/x', '127.0.0.1')).status).to.equal(400);
      expect((await get(server.baseURL, '/\\localhost:6379/x', '127.0.0.1')).status).to.equal(400);
    } finally {
      await server.close();
    }
  });

  it('shows an API error scrubbed of the token, even when the API echoes the Authorization header', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: CALLBACK });
    const echo = await serve((req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json', 'Retry-After': '0' });
      res.end(JSON.stringify({ error: { message: `denied for ${req.headers.authorization ?? ''}`, code: 'NO_PERMISSION' } }));
    });
    try {
      const set = await grantAtStandIn(standIn, CALLBACK);
      // The refreshes would go to the stand-in; the API calls go to the echo.
      const tokens = new FattureInCloudTokens({ clientID: standIn.clientID, clientSecret: standIn.clientSecret, baseURL: echo.baseURL });
      await tokens.save('user-1', set);
      const result = await listClients(tokens, 'user-1', 12345);
      expect(result).to.have.property('error').that.includes('denied for Bearer [redacted]').and.includes('needs the entity.clients:r scope');
      expect(JSON.stringify(result)).not.to.include(set.accessToken);
    } finally {
      await echo.close();
      await standIn.close();
    }
  });
});
