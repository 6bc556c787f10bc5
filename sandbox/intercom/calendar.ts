// Calendar-day arithmetic in an IANA time zone. Intercom matches timestamp search filters by the
// workspace's calendar day, so the sandbox needs the start of a day in that zone.
import { SandboxInputError } from './errors.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a clear error for a zone name the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new SandboxInputError(`unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as "UTC" or "Europe/Berlin"`);
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localParts(unixSeconds: number, timeZone: string): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(unixSeconds * 1000))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out as unknown as LocalParts;
}

/** Seconds the zone is ahead of UTC at that instant. */
function offsetSeconds(unixSeconds: number, timeZone: string): number {
  const p = localParts(unixSeconds, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000;
  return asUtc - Math.floor(unixSeconds);
}

/** Unix seconds of the local midnight that starts the day containing `unixSeconds`. */
export function dayStart(unixSeconds: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(unixSeconds / 86_400) * 86_400;
  const p = localParts(unixSeconds, timeZone);
  const midnightAsUtc = Date.UTC(p.year, p.month - 1, p.day) / 1000;
  // The offset at midnight can differ from the offset at `unixSeconds` across a DST change.
  const guess = midnightAsUtc - offsetSeconds(unixSeconds, timeZone);
  return midnightAsUtc - offsetSeconds(guess, timeZone);
}

/** Unix seconds of the local midnight that starts the following day (days last 23 to 25 hours). */
export function nextDayStart(unixSeconds: number, timeZone: string): number {
  return dayStart(dayStart(unixSeconds, timeZone) + 26 * 3600, timeZone);
}
