// Type-checked by npm run typecheck: api() takes the SDK's API classes and nothing else (each @ts-expect-error must fail to compile).
import { ClientsApi, UserApi } from '@fattureincloud/fattureincloud-ts-sdk';
import { FattureInCloudTokens } from '../../lib/index';
import { fattureInCloudSDK } from '../../lib/sdk/index';

export function apiClassesOnly(): [ClientsApi, UserApi] {
  const fic = fattureInCloudSDK({ tokens: new FattureInCloudTokens({ clientID: 'a', clientSecret: 'b' }), key: 'k' });
  // @ts-expect-error Date is not an API class
  fic.api(Date);
  // @ts-expect-error nor is a class that takes any arguments
  fic.api(Anything);
  return [fic.api(ClientsApi), fic.api(UserApi)];
}

class Anything {
  readonly args: unknown[];
  constructor(...args: unknown[]) {
    this.args = args;
  }
}
