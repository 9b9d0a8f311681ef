/**
 * RFC 3339 timestamps, read only: stoolap's legacy value tag 5 stored them as text (chrono's
 * `parse_from_rfc3339`). Accepts `T`/`t`/space between date and time, an optional fraction
 * (digits beyond nanoseconds are dropped, as chrono does), `Z`/`z` or a ±HH:MM offset, and a
 * leap second (`:60`, kept as nanos ≥ 1e9 like chrono).
 */
import { Timestamp } from './values';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The timestamp `text` denotes, or undefined when it is not valid RFC 3339. */
export function parseRfc3339(text: string): Timestamp | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined;
  const isLeapYear = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29 && !isLeapYear) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (match[9] !== undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const leap = second === 60;
  const epochMillis = Date.UTC(year, month - 1, day, hour, minute, leap ? 59 : second);
  const date = new Date(epochMillis);
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const seconds = BigInt(Math.floor(date.getTime() / 1000)) - BigInt(offsetMinutes * 60);
  const nanos = Number(fraction.slice(0, 9).padEnd(9, '0')) + (leap ? 1e9 : 0);
  try {
    return new Timestamp(seconds, nanos);
  } catch {
    return undefined;
  }
}
