import { FATTURE_IN_CLOUD_WEBHOOK_KEY, FattureInCloudWebhooks } from 'passport-fattureincloud/webhooks';

// SNIPPET

export { webhooks };
