import { WebhooksApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { fattureInCloudSDK, type FattureInCloudSDKOptions } from './binding';

/** The SDK's WebhooksApi bound to a user's token set: what the subscription calls go through. */
export function webhooksAPI(options: FattureInCloudSDKOptions): WebhooksApi {
  return fattureInCloudSDK(options).api(WebhooksApi);
}
