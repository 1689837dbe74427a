import type { QuotaCounts, QuotaStore, QuotaTake, QuotaTaken, QuotaWindow } from '../store';

interface Bucket {
  hour: number;
  hourSpent: number;
  month: string;
  monthSpent: number;
  pausedUntil: number;
  pausedFor: QuotaWindow;
}

/**
 * The default quota store: counters in this process. Right for one process;
 * several processes of one app share a RedisQuotaStore or a PostgresQuotaStore.
 * One entry per bucket, reused as windows turn.
 */
export class MemoryQuotaStore implements QuotaStore {
  private readonly buckets = new Map<string, Bucket>();

  take(request: QuotaTake): Promise<QuotaTaken> {
    const bucket = this.current(request.bucket, request.hour, request.month);
    if (bucket.pausedUntil > request.now) return Promise.resolve({ granted: false, reason: 'paused', until: bucket.pausedUntil, window: bucket.pausedFor });
    if (bucket.monthSpent >= request.monthCeiling) return Promise.resolve({ granted: false, reason: 'month' });
    if (bucket.hourSpent >= request.hourCeiling) return Promise.resolve({ granted: false, reason: 'hour' });
    bucket.hourSpent += 1;
    bucket.monthSpent += 1;
    return Promise.resolve({ granted: true });
  }

  correct(request: Parameters<QuotaStore['correct']>[0]): Promise<void> {
    const bucket = this.current(request.bucket, request.hour, request.month);
    bucket.hourSpent = Math.max(bucket.hourSpent, request.hourSpent ?? 0);
    bucket.monthSpent = Math.max(bucket.monthSpent, request.monthSpent ?? 0);
    return Promise.resolve();
  }

  pause(bucket: string, until: number, window: QuotaWindow): Promise<void> {
    const entry = this.buckets.get(bucket) ?? { hour: 0, hourSpent: 0, month: '', monthSpent: 0, pausedUntil: 0, pausedFor: window };
    if (until > entry.pausedUntil) Object.assign(entry, { pausedUntil: until, pausedFor: window });
    this.buckets.set(bucket, entry);
    return Promise.resolve();
  }

  read(bucket: string, windows: { hour: number; month: string }): Promise<QuotaCounts> {
    const { hourSpent, monthSpent, pausedUntil } = this.current(bucket, windows.hour, windows.month);
    return Promise.resolve({ hourSpent, monthSpent, pausedUntil });
  }

  /** The bucket's entry with windows that have turned started again at zero. */
  private current(name: string, hour: number, month: string): Bucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = { hour, hourSpent: 0, month, monthSpent: 0, pausedUntil: 0, pausedFor: 'hour' };
      this.buckets.set(name, bucket);
    }
    if (bucket.hour !== hour) Object.assign(bucket, { hour, hourSpent: 0 });
    if (bucket.month !== month) Object.assign(bucket, { month, monthSpent: 0 });
    return bucket;
  }
}
