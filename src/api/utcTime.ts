import { RestError } from './envelope.js';

const FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** The original rollback time, "YYYY-MM-DD hh:mm:ss" in UTC, to unix seconds; null unless a real date and time. */
export function parseUtcDateTime(text: string): number | null {
  const m = FORMAT.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter maps years 0-99 to 1900-1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  // An overflowing day (2024-02-30) rolls into the next month.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return Math.floor(d.getTime() / 1000);
}

export function requireUtcDateTime(text: string): number {
  const t = parseUtcDateTime(text);
  if (t === null) throw new RestError(400, 'INVALID_PARAMS', 'time must be a valid UTC date "YYYY-MM-DD hh:mm:ss"');
  return t;
}
