import { realpathSync } from 'node:fs';
import { resolveIn } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { readTrimmed } from './parse-helpers.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_ABBR = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Seconds between 1601-01-01 (the Windows FILETIME epoch) and 1970-01-01. */
const WINDOWS_EPOCH_OFFSET = 11_644_473_600n;

/** The host's IANA zone: the /etc/localtime link into zoneinfo, else /etc/timezone, else the live process's zone. */
function localZone(ctx: TableContext): string | null {
  try {
    const target = realpathSync(resolveIn(ctx.root, '/etc/localtime'));
    const at = target.indexOf('/zoneinfo/');
    if (at !== -1) return target.slice(at + '/zoneinfo/'.length).replace(/^(posix|right)\//, '');
  } catch {
    // No link: fall through to /etc/timezone.
  }
  const named = readTrimmed(ctx, '/etc/timezone');
  if (named !== null && named !== '') return named;
  return ctx.root === '/' ? Intl.DateTimeFormat().resolvedOptions().timeZone : null;
}

/** The zone's abbreviation at `at` (CET, EST, UTC); US English names American zones, British English European ones. */
function zoneAbbreviation(zone: string, at: Date): string | null {
  const short = (locale: string) => {
    try {
      return (
        new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })
          .formatToParts(at)
          .find((p) => p.type === 'timeZoneName')?.value ?? null
      );
    } catch {
      return null;
    }
  };
  const us = short('en-US');
  if (us !== null && !/^GMT[+-]/.test(us)) return us;
  return short('en-GB') ?? us;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** time: the agent clock in UTC, with the host's local zone abbreviation. */
export const time: TableCollector = {
  name: 'time',
  *collect(ctx) {
    const now = ctx.now();
    const unix = Math.floor(now.getTime() / 1000);
    const zone = localZone(ctx);
    const iso = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}T${pad(
      now.getUTCHours(),
    )}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}Z`;
    // asctime(3) layout, as osquery prints it.
    const asctime = `${DAY_ABBR[now.getUTCDay()]} ${MONTH_ABBR[now.getUTCMonth()]} ${String(
      now.getUTCDate(),
    ).padStart(
      2,
      ' ',
    )} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} ${now.getUTCFullYear()} UTC`;
    yield {
      weekday: WEEKDAYS[now.getUTCDay()] ?? null,
      year: now.getUTCFullYear(),
      month: now.getUTCMonth() + 1,
      day: now.getUTCDate(),
      hour: now.getUTCHours(),
      minutes: now.getUTCMinutes(),
      seconds: now.getUTCSeconds(),
      timezone: 'UTC',
      local_timezone: zone === null ? null : zoneAbbreviation(zone, now),
      unix_time: unix,
      timestamp: asctime,
      datetime: iso,
      iso_8601: iso,
      win_timestamp: (BigInt(unix) + WINDOWS_EPOCH_OFFSET) * 10_000_000n,
    };
  },
};
