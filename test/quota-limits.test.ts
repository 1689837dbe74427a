import { expect } from 'chai';
import { FattureInCloudQuota, FattureInCloudTokens, MemoryQuotaStore } from '../lib/index';
import { PostgresQuotaStore } from '../lib/postgres';
import { isQuotaRefusal } from '../lib/quota/quota';
import { RedisQuotaStore } from '../lib/redis';
import { windowsAt } from '../lib/quota/windows';
import { fattureInCloudSDK } from '../lib/sdk/index';
import { startFattureInCloudStandIn } from '../lib/testing/index';
import { grantAtStandIn } from './support/stand-in-login';

const REDIRECT = 'http://localhost:3000/auth/fattureincloud/callback';
const HOUR = 3_600_000;

describe('quota windows', () => {
  it('the hour turns at the top of each hour, the month at midnight in Rome, summer time or not', () => {
    const summer = windowsAt(Date.parse('2026-03-31T21:59:59Z'), 'Europe/Rome');
    expect(summer.month).to.equal('2026-03');
    expect(new Date(summer.monthEndsAt).toISOString()).to.equal('2026-03-31T22:00:00.000Z');
    expect(windowsAt(Date.parse('2026-03-31T22:00:00Z'), 'Europe/Rome').month).to.equal('2026-04');
    const winter = windowsAt(Date.parse('2026-12-31T23:30:00Z'), 'Europe/Rome');
    expect(winter.month).to.equal('2027-01');
    expect(new Date(winter.monthEndsAt).toISOString()).to.equal('2027-01-31T23:00:00.000Z');
    expect(new Date(winter.hourEndsAt).toISOString()).to.equal('2027-01-01T00:00:00.000Z');
    expect(windowsAt(Date.parse('2026-06-15T10:00:00Z'), 'UTC').month).to.equal('2026-06');
  });
});

describe('FattureInCloudQuota, its options and answers', () => {
  it('refuses bad options with a TypeError naming them', () => {
    expect(() => new FattureInCloudQuota({ perHour: 0 })).to.throw(TypeError, /perHour must be a whole number/);
    expect(() => new FattureInCloudQuota({ perMonth: 1.5 })).to.throw(TypeError, /perMonth/);
    expect(() => new FattureInCloudQuota({ reserve: 1 })).to.throw(TypeError, /reserve/);
    expect(() => new FattureInCloudQuota({ timeZone: 'Mars/Olympus' })).to.throw(TypeError, /not a time zone/);
    expect(() => new FattureInCloudQuota({ store: {} as never })).to.throw(TypeError, /quota store/);
    expect(() => new FattureInCloudQuota(null as never)).to.throw(TypeError, /needs options/);
    expect(() => new FattureInCloudQuota({ timeZone: 3 as never })).to.throw(TypeError, /IANA/);
    expect(() => new RedisQuotaStore(undefined as never)).to.throw(TypeError, /Redis client/);
    expect(() => new RedisQuotaStore({ client: {} as never })).to.throw(TypeError, /neither/);
    expect(() => new PostgresQuotaStore({ pool: {} as never })).to.throw(TypeError, /pg Pool/);
    expect(() => new PostgresQuotaStore({ pool: { query: () => Promise.resolve({ rows: [], rowCount: 0 }) }, table: 'bad-name' })).to.throw(TypeError, /table/);
    const tokens = new FattureInCloudTokens({ clientID: 'id', clientSecret: 'secret' });
    expect(() => fattureInCloudSDK({ tokens, key: 'k', priority: 'background' })).to.throw(TypeError, /need a quota/);
    expect(() => fattureInCloudSDK({ tokens, key: 'k', quota: new FattureInCloudQuota(), priority: 'urgent' as never })).to.throw(TypeError, /priority/);
    expect(() => fattureInCloudSDK({ tokens, key: 'k', quota: new FattureInCloudQuota(), wait: { maxWait: -1 } })).to.throw(TypeError, /maxWait/);
  });

  it('remaining() refuses what is not a company id', async () => {
    const error = await new FattureInCloudQuota().remaining(-1).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(TypeError);
  });

  it('keeps the reserve, rounded down to whole requests, for interactive calls', () => {
    expect(new FattureInCloudQuota({ perHour: 1000 }).ceilingOf('background')).to.equal(900);
    expect(new FattureInCloudQuota({ perHour: 15, reserve: 0.1 }).ceilingOf('background')).to.equal(14);
    expect(new FattureInCloudQuota({ perHour: 15 }).ceilingOf('interactive')).to.equal(15);
  });

  it('tells a quota 403 from a permission 403 by its body or its counters', () => {
    const answer = (body: unknown, headers: Record<string, string> = {}) => ({ status: 403, headers, body });
    expect(isQuotaRefusal(answer({ error: { code: 'QUOTA_EXCEEDED', message: 'x' } }))).to.equal(true);
    expect(isQuotaRefusal(answer({ error: { message: 'Hai superato il limite di richieste' } }))).to.equal(true);
    expect(isQuotaRefusal(answer({ error: { code: 'X' } }, { 'ratelimit-hourlyremaining': '0' }))).to.equal(true);
    expect(isQuotaRefusal(answer({ error: { code: 'NO_PERMISSION', message: 'This app is not enabled for this' } }))).to.equal(false);
    expect(isQuotaRefusal(answer({ error: { code: 'LICENSE_EXPIRED', message: 'License expired.' } }))).to.equal(false);
    expect(isQuotaRefusal({ status: 429, headers: {}, body: undefined })).to.equal(false);
  });

  it('a job that waits is sent once its window turns; a call outside a company takes the app\'s budget', async () => {
    const realNow = Date.now.bind(Date);
    const quota = new FattureInCloudQuota({ store: new MemoryQuotaStore(), perHour: 1 });
    // 200 ms before the top of an hour, on a clock that runs from there.
    const began = realNow();
    const start = Math.floor(began / HOUR) * HOUR + HOUR - 200;
    Date.now = () => start + (realNow() - began);
    try {
      await quota.acquire('/c/1/entities/clients');
      const waited = realNow();
      await quota.acquire('/c/1/entities/clients', { wait: { maxWait: 2_000 } });
      expect(realNow() - waited).to.be.within(150, 600);
      await quota.acquire('/user/companies');
      const refused = await quota.acquire('/user/info').catch((error: unknown) => error);
      expect(refused).to.include({ code: 'quota_exhausted', window: 'hour', companyID: undefined });
    } finally {
      Date.now = realNow;
    }
  });
});

describe('the stand-in\'s limits', () => {
  it('counts company calls per hour and month on its clock, with RateLimit-* on every answer, a 403 past them and a 429 past the short-term limit', async () => {
    const standIn = await startFattureInCloudStandIn({ redirectURI: REDIRECT, quota: { perHour: 3, perMonth: 5, shortTerm: { limit: 2, windowMs: 1_000 } } });
    try {
      // Far from the edges of the windows, so that neither turns before the test moves the clock.
      const monthLeft = windowsAt(standIn.now(), 'Europe/Rome').monthEndsAt - standIn.now();
      if (monthLeft < 4 * HOUR) standIn.advanceClock(monthLeft + 60_000);
      const hourLeft = windowsAt(standIn.now(), 'Europe/Rome').hourEndsAt - standIn.now();
      if (hourLeft < 60_000) standIn.advanceClock(hourLeft + 1_000);
      const { accessToken } = await grantAtStandIn(standIn, REDIRECT);
      const call = (path = '/c/12345/entities/clients') => fetch(`${standIn.baseURL}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
      const first = await call();
      expect(first.headers.get('ratelimit-hourlyremaining')).to.equal('2');
      expect(first.headers.get('ratelimit-monthlylimit')).to.equal('5');
      await call();
      const shortTerm = await call();
      expect(shortTerm.status).to.equal(429);
      expect(Number(shortTerm.headers.get('retry-after'))).to.be.within(1, 1);
      standIn.advanceClock(1_100);
      expect((await call()).status).to.equal(200);
      standIn.advanceClock(1_100);
      const hourly = await call();
      expect(hourly.status).to.equal(403);
      expect(((await hourly.json()) as { error: { code: string } }).error.code).to.equal('QUOTA_EXCEEDED');
      expect(Number(hourly.headers.get('retry-after'))).to.be.within(1, 3600);
      expect(hourly.headers.get('ratelimit-hourlyremaining')).to.equal('0');
      // The profile calls at login are not counted.
      expect((await call('/user/info')).status).to.equal(200);
      expect(standIn.quotaSpent(12345)).to.deep.equal({ hour: 3, month: 3 });
      expect(standIn.stats.refusedForQuota).to.equal(2);
      standIn.advanceClock(HOUR);
      await call();
      await call();
      standIn.advanceClock(HOUR);
      const monthly = await call();
      expect(monthly.status).to.equal(403);
      expect(((await monthly.json()) as { error: { message: string } }).error.message).to.include('monthly');
    } finally {
      await standIn.close();
    }
  });

  it('refuses limits that are not whole numbers', async () => {
    const error = await startFattureInCloudStandIn({ redirectURI: REDIRECT, quota: { perHour: 0 } }).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(TypeError);
  });
});
