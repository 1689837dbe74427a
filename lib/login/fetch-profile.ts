import { type APIClient, apiGet } from '../http/api';
import { type FattureInCloudProfile, type ParseProfileOptions, parseProfile } from './profile';

/** Both calls are in flight together: the profile costs one round trip. */
export async function fetchProfile(
  client: APIClient,
  accessToken: string,
  options: ParseProfileOptions,
): Promise<FattureInCloudProfile> {
  const [userInfo, companies] = await Promise.all([
    apiGet(client, '/user/info', accessToken),
    apiGet(client, '/user/companies', accessToken),
  ]);
  return parseProfile(userInfo, companies, options);
}
