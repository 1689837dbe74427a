// A project that installed the package but not jose: the receiver loads, answers 503 (so
// Fatture in Cloud retries) and warns once; the stand-in still serves without sending webhooks.
const { FattureInCloudWebhooks } = require('passport-fattureincloud/webhooks');

const warnings = [];
process.on('warning', (warning) => warnings.push(warning.code));
const webhooks = new FattureInCloudWebhooks({ sink: 'https://app.example/hooks' });
const verification = { method: 'GET', url: '/hooks?x-fic-verification-challenge=abc', headers: { authorization: 'Bearer a.b.c' }, body: undefined };

(async () => {
  const statuses = [(await webhooks.receive(verification)).status, (await webhooks.receive(verification)).status];
  await new Promise((resolve) => setImmediate(resolve));
  console.log(JSON.stringify({ statuses, warnings }));
})();
