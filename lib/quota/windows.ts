/**
 * Fatture in Cloud's quota windows: the hour (fixed, reset at the top of each
 * hour) and the month (reset when the month turns in Italy). Both follow the
 * process's clock (`Date.now()`), as the stand-in's do, so a test moves both.
 */

const HOUR_MS = 3_600_000;

export interface Windows {
  /** Hours since the epoch: the same in every process for the same hour. */
  hour: number;
  hourEndsAt: number;
  /** `YYYY-MM` in the quota's time zone. */
  month: string;
  monthEndsAt: number;
}

export function windowsAt(now: number, timeZone: string): Windows {
  const hour = Math.floor(now / HOUR_MS);
  const { year, month } = calendarMonth(now, timeZone);
  return {
    hour,
    hourEndsAt: (hour + 1) * HOUR_MS,
    month: `${year}-${String(month).padStart(2, '0')}`,
    monthEndsAt: startOfMonth(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, timeZone),
  };
}

/** Checks a time zone name before it is used (an unknown one is a RangeError from Intl). */
export function checkTimeZone(timeZone: unknown, where: string): string {
  if (typeof timeZone !== 'string') throw new TypeError(`${where}: timeZone must be an IANA time zone name such as 'Europe/Rome'`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new TypeError(`${where}: timeZone ${JSON.stringify(timeZone)} is not a time zone this Node knows`);
  }
  return timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(instant: number, timeZone: string): Record<string, number> {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  return Object.fromEntries(formatter.formatToParts(instant).filter((part) => part.type !== 'literal').map((part) => [part.type, Number(part.value)]));
}

function calendarMonth(instant: number, timeZone: string): { year: number; month: number } {
  const { year, month } = parts(instant, timeZone);
  return { year: year ?? 1970, month: month ?? 1 };
}

/** The instant the 1st of `month` begins in `timeZone`: midnight there, whatever its offset that day. */
function startOfMonth(year: number, month: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, 1);
  let instant = wall;
  // Twice: the offset at the first guess may differ from the offset at the answer.
  for (let pass = 0; pass < 2; pass++) instant = wall - offsetAt(instant, timeZone);
  return instant;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const { year, month, day, hour, minute, second } = parts(instant, timeZone);
  const wall = Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
  return wall - Math.floor(instant / 1000) * 1000;
}
