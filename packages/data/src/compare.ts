import type { Address } from './address';
import { BrokerError } from './broker-error';
import type { BrokerSet, BrokerTable } from './containers';
import type { Count } from './count';
import type { Data } from './data';
import type { EnumValue } from './enum-value';
import type { Port } from './port';
import type { Subnet } from './subnet';
import type { Timespan } from './timespan';
import type { Timestamp } from './timestamp';
import { describe } from './type-of';
import * as typeTag from './type-tag';
import { utf8Bytes } from './utf8';

// Local bindings of hot-path imports: see docs/architecture.md, "Local bindings on hot paths".
const { tagOf } = typeTag;

/**
 * Broker's total order over values: across types by type index
 * (none < boolean < count < integer < real < string < address < subnet < port <
 * timestamp < timespan < enum_value < set < table < vector), within a type as Broker
 * orders it (strings byte-wise over UTF-8, containers lexicographically, subnets by
 * network then length). Reals compare numerically with `-0` equal to `0`; NaN equals
 * NaN and sorts after every other real (Broker leaves NaN undefined).
 * @param a - a Broker value (`undefined` counts as none)
 * @param b - a Broker value
 * @returns negative when a < b, zero when equal, positive when a > b
 * @throws BrokerError `type_clash` when either side is not exact Broker data
 */
export function compare(a: Data, b: Data): number {
  const ta = a === undefined ? 0 : tagOf(a);
  const tb = b === undefined ? 0 : tagOf(b);
  if (ta < 0 || tb < 0) {
    throw new BrokerError('type_clash', `cannot compare ${describe(ta < 0 ? a : b)}: not exact Broker data (convert it with toData first)`);
  }
  if (ta !== tb) return ta < tb ? -1 : 1;
  // Literal type indices (see type-tag.ts) rather than imported constants, for the reason
  // in docs/architecture.md, "Local bindings on hot paths".
  switch (ta) {
    case 0: // none
      return 0;
    case 1: // boolean
      return a === b ? 0 : a ? 1 : -1;
    case 2: // count
      return cmpCount((a as Count).n, (b as Count).n);
    case 3: // integer
      return cmpBig(a as bigint, b as bigint);
    case 4: // real
      return cmpReal(a as number, b as number);
    case 5: // string
      return typeof a === 'string' && typeof b === 'string' ? compareStrings(a, b) : compareBytes(toBytes(a as string | Uint8Array), toBytes(b as string | Uint8Array));
    case 6: // address
      return (a as Address).compare(b as Address);
    case 7: // subnet
      return (a as Subnet).compare(b as Subnet);
    case 8: // port
      return (a as Port).compare(b as Port);
    case 9: // timestamp
      return cmpBig((a as Timestamp).ns, (b as Timestamp).ns);
    case 10: // timespan
      return cmpBig((a as Timespan).ns, (b as Timespan).ns);
    case 11: // enum_value
      return compareStrings((a as EnumValue).name, (b as EnumValue).name);
    case 12: // set
      return compareSequences((a as BrokerSet).items, (b as BrokerSet).items);
    case 13: // table
      return compareTables(a as BrokerTable, b as BrokerTable);
    case 14: // vector
      return compareSequences(a as Data[], b as Data[]);
    default:
      throw new BrokerError('logic_error', `unknown type tag ${ta}`);
  }
}

/**
 * Broker's equality: same type and equal value; no numeric coercion (`count(1)` is not
 * `1n`, `1.0` is not `1n`).
 * @param a - a Broker value
 * @param b - a Broker value
 * @throws BrokerError `type_clash` when either side is not exact Broker data
 */
export function equals(a: Data, b: Data): boolean {
  return a === b || compare(a, b) === 0;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two counts' fields: a number (≤ 2^53 - 1) is below every bigint (see Count). */
function cmpCount(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number') return typeof b === 'number' ? (a < b ? -1 : a > b ? 1 : 0) : -1;
  return typeof b === 'number' ? 1 : cmpBig(a, b);
}

function cmpReal(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // At least one NaN: NaN sorts last and equals NaN.
  const an = a !== a;
  const bn = b !== b;
  return an === bn ? 0 : an ? 1 : -1;
}

/**
 * Orders JS strings as Broker orders their UTF-8 bytes. UTF-16 code-unit order differs
 * from UTF-8 byte order only between surrogates (code points ≥ U+10000) and U+E000..U+FFFF.
 * @internal
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function toBytes(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? utf8Bytes(s) : s;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareSequences(a: readonly Data[], b: readonly Data[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareTables(a: BrokerTable, b: BrokerTable): number {
  const ak = a.keyItems;
  const bk = b.keyItems;
  const av = a.valueItems;
  const bv = b.valueItems;
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const c = compare(ak[i], bk[i]) || compare(av[i], bv[i]);
    if (c !== 0) return c;
  }
  return ak.length === bk.length ? 0 : ak.length < bk.length ? -1 : 1;
}
