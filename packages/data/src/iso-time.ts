import { BrokerError } from './broker-error';
import * as int64 from './int64';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { INT64_MAX, INT64_MIN } = int64;

// Howard Hinnant's days_from_civil / civil_from_days: exact for every int64 timestamp,
// without Date and its ±8.64e15 ms limit.
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of month `m` (1-12) of year `y` in the proleptic Gregorian calendar. */
function daysInMonth(y: number, m: number): number {
  return m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1];
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * Formats ns since the epoch as Broker's JSON timestamp, `YYYY-MM-DDThh:mm:ss.mmm` in UTC,
 * truncated towards zero to the millisecond as C++ `duration_cast` does (so every int64
 * timestamp stays in range when read back).
 * @internal
 */
export function formatIsoTimestamp(ns: bigint): string {
  // Milliseconds of an int64 of ns are below 2^53: from here on doubles are exact. A
  // bigint division truncates towards zero, as `duration_cast` does.
  const ms = Number(ns / 1_000_000n);
  const secs = Math.floor(ms / 1000);
  const milli = ms - secs * 1000;
  const days = Math.floor(secs / 86400);
  const sod = secs - days * 86400;
  const [y, mo, d] = civilFromDays(days);
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  return `${year}-${pad(mo, 2)}-${pad(d, 2)}T${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor(sod / 60) % 60, 2)}:${pad(sod % 60, 2)}.${pad(milli, 3)}`;
}

const ISO = /^(-?[0-9]{4,6})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;

/**
 * Parses an ISO 8601 date-time (`YYYY-MM-DDThh:mm:ss[.fraction][Z|±hh:mm]`); no zone
 * means UTC, as in Broker.
 * @returns ns since the epoch
 * @throws BrokerError `conversion_failed` for anything else or out of int64 range
 * @internal
 */
export function parseIsoTimestamp(text: string): bigint {
  const m = ISO.exec(text);
  if (m === null) return badTimestamp(text);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return badTimestamp(text);
  if (d > daysInMonth(y, mo)) return badTimestamp(text); // e.g. February 30th
  const days = daysFromCivil(y, mo, d);
  // Seconds of a six-digit year are below 2^53: exact as a double.
  let ns = BigInt(days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000_000n;
  if (m[7] !== undefined) ns += BigInt(m[7].padEnd(9, '0'));
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const zh = Number(digits.slice(1, 3));
    const zm = Number(digits.slice(3, 5));
    if (zh > 23 || zm > 59) return badTimestamp(text);
    const offset = BigInt((zh * 60 + zm) * 60) * 1_000_000_000n;
    ns += zone[0] === '+' ? -offset : offset;
  }
  if (ns < INT64_MIN || ns > INT64_MAX) return badTimestamp(text);
  return ns;
}

function badTimestamp(text: string): never {
  throw new BrokerError('conversion_failed', `invalid timestamp: ${JSON.stringify(text)}`);
}
