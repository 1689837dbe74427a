import { FattureInCloudTokens } from 'passport-fattureincloud';
import { RedisTokenStore } from 'passport-fattureincloud/redis';
import type { createClient } from 'redis';

declare const clientID: string;
declare const clientSecret: string;
declare const client: Awaited<ReturnType<ReturnType<typeof createClient>['connect']>>;
declare const usersToSync: string[];
declare function syncInvoices(accessToken: string): Promise<void>;

// SNIPPET
