import type { FattureInCloudTokens } from 'passport-fattureincloud';
import { ensureSubscription, FattureInCloudWebhooks, type WebhookKey, type WebhookLog } from 'passport-fattureincloud/webhooks';

/**
 * What the example hears from Fatture in Cloud: each login subscribes the
 * user's companies to client events; the receiver keeps the last events of
 * each company, and a counter the clients page polls to refresh itself.
 */

export interface ExampleWebhookOptions {
  /** The receiver's public URL: what Fatture in Cloud (or the stand-in) posts to. */
  sink: string;
  /** Undefined: Fatture in Cloud's published key. The stand-in's own key when offline. */
  keys?: WebhookKey | undefined;
  appID?: string | undefined;
  /** Where handled event ids are kept: memory, or Redis for several instances. */
  dedupe?: WebhookLog | undefined;
}

export interface ReceivedEvent {
  type: string;
  ids: number[];
  time: string;
}

export const CLIENT_EVENTS = [
  'it.fattureincloud.webhooks.entities.clients.create',
  'it.fattureincloud.webhooks.entities.clients.update',
  'it.fattureincloud.webhooks.entities.clients.delete',
] as const;

const KEPT_PER_COMPANY = 10;

export class ExampleWebhooks {
  readonly receiver: FattureInCloudWebhooks;
  private readonly recent = new Map<number, ReceivedEvent[]>();
  private readonly counts = new Map<number, number>();

  constructor(private readonly options: ExampleWebhookOptions) {
    this.receiver = new FattureInCloudWebhooks({ sink: options.sink, keys: options.keys, appID: options.appID, dedupe: options.dedupe });
    this.receiver.onAny(({ companyID, type, ids, time }) => {
      this.recent.set(companyID, [{ type, ids, time }, ...(this.recent.get(companyID) ?? [])].slice(0, KEPT_PER_COMPANY));
      this.counts.set(companyID, this.changes(companyID) + 1);
    });
  }

  /** At login, for each company: what is missing is created, nothing twice. A failure is logged, never in the user's way. */
  subscribe(tokens: FattureInCloudTokens, key: string, companyIDs: readonly number[]): void {
    for (const companyID of companyIDs) {
      ensureSubscription({ tokens, key, companyID, sink: this.options.sink, types: CLIENT_EVENTS, verifyTimeout: 10_000 }).catch((error: unknown) => {
        console.warn(`Could not subscribe company ${companyID} to webhooks: ${error instanceof Error ? error.message : 'unknown error'}`);
      });
    }
  }

  events(companyID: number): readonly ReceivedEvent[] {
    return this.recent.get(companyID) ?? [];
  }

  /** Grows with every event of the company: the page refreshes when it moves. */
  changes(companyID: number): number {
    return this.counts.get(companyID) ?? 0;
  }
}
