import type { ClaimResult, WebhookLog } from '../log';

interface Entry {
  state: 'claimed' | 'done';
  owner: string;
  until: number;
}

/**
 * The event log of one process: enough for an app that runs one. Entries
 * lapse at their time and are swept as new ones come, oldest first, so the
 * map holds at most what the last few hours brought.
 */
export class MemoryWebhookLog implements WebhookLog {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  claim(id: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.now();
    this.sweep(now);
    const entry = this.entries.get(id);
    if (entry && entry.until > now) return Promise.resolve(entry.state === 'done' ? 'done' : 'busy');
    this.set(id, { state: 'claimed', owner, until: now + leaseMs });
    return Promise.resolve('claimed');
  }

  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const entry = this.entries.get(id);
    const held = entry?.state === 'claimed' && entry.owner === owner;
    if (held) entry.until = this.now() + leaseMs;
    return Promise.resolve(held);
  }

  complete(id: string, keepMs: number): Promise<void> {
    this.set(id, { state: 'done', owner: '', until: this.now() + keepMs });
    return Promise.resolve();
  }

  release(id: string, owner: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry?.state === 'claimed' && entry.owner === owner) this.entries.delete(id);
    return Promise.resolve();
  }

  /** Ids remembered, lapsed ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  /** Re-inserted, so the map stays in order of last change and the sweep stops at the first live entry. */
  private set(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.state === 'done' && entry.until > now) break;
      if (entry.until <= now) this.entries.delete(id);
    }
  }
}
