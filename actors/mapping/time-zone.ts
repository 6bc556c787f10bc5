// Calendar dates in a workspace's time zone, with Intl only. A Salesforce date ("2024-01-31") has
// no time; Intercom stores dates as unix seconds, so a date travels as the first second of that
// day in the workspace's zone, and comes back as the day that second falls on there.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch (err) {
    throw new RangeError(`unknown time zone "${tz}"`, { cause: err });
  }
  formatters.set(tz, f);
  return f;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(ms: number, tz: string): LocalTime {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year, month: out.month, day: out.day, hour: out.hour, minute: out.minute, second: out.second };
}

/** Local minus UTC, in ms, at instant `ms` (whole seconds). */
function offsetMs(ms: number, tz: string): number {
  const t = localTime(ms, tz);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a "YYYY-MM-DD" that names a real day; null otherwise. */
export function parseDateOnly(s: string): { year: number; month: number; day: number } | null {
  const m = DATE_ONLY.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  d.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** The day (YYYY-MM-DD) on which unix second `seconds` falls in `tz`. */
export function calendarDateIn(seconds: number, tz: string): string {
  const t = localTime(seconds * 1000, tz);
  return formatDate(t.year, t.month, t.day);
}

/**
 * The first unix second of day `date` (YYYY-MM-DD) in `tz`. Where a DST change skips midnight the
 * day starts at the end of the gap; where midnight happens twice, the earlier one counts.
 */
export function startOfDayIn(date: string, tz: string): number {
  const d = parseDateOnly(date);
  if (!d) throw new RangeError(`"${date}" is not a YYYY-MM-DD date`);
  const utcMidnight = new Date(Date.UTC(d.year, d.month - 1, d.day));
  utcMidnight.setUTCFullYear(d.year);
  const u = utcMidnight.getTime();
  const day = 86_400_000;
  // The offsets a day either side cover any single change that day.
  const candidates = [...new Set([offsetMs(u - day, tz), offsetMs(u, tz), offsetMs(u + day, tz)])]
    .map((off) => u - off)
    .sort((a, b) => a - b);
  const onDay = candidates.filter((ms) => calendarDateIn(ms / 1000, tz) === date);
  if (onDay.length > 0) return onDay[0] / 1000;
  // A day the zone skipped altogether (Pacific/Apia, 2011-12-30) has no first second: take the
  // first instant after it.
  return candidates[candidates.length - 1] / 1000;
}
