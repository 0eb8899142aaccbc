import { BrokerError, BrokerTable, decodeBinary, type Data } from '@broker-ts/data';
import type { EncodedEntry, MemoryBackend } from '../backend';
import { scanEncoded, type EncodedScan } from '../backend/encoded-scan';

/**
 * A snapshot piece travels between broker-ts endpoints as the Broker binary encoding of a
 * table of its entries: the rows a master's backend stores, joined behind a table's
 * header, and split into rows again by the clone, so that neither side decodes or
 * re-encodes an entry whose bytes are already in the form a backend stores (decoding and
 * encoding every entry on both sides was most of the time a clone of a small store took
 * to attach). Without I/O.
 */

/** Broker's type index of a table, the first byte of its binary encoding. */
const TABLE_TAG = 13;

/** The encoding of an empty table. */
export const EMPTY_TABLE_ENCODING: Uint8Array = Uint8Array.of(TABLE_TAG, 0);

/**
 * A stored row as a snapshot takes it: the encodings of key and value as bytes, or as
 * latin1 strings of a memory backend's own rows (see `SnapshotRows.latin1Rows`).
 */
export type StoredRow = EncodedEntry | readonly [string, string];

/** The encoded bytes of a stored row. */
export function storedRowSize(row: StoredRow): number {
  return Array.isArray(row) ? row[0].length + row[1].length : (row as EncodedEntry).key.byteLength + (row as EncodedEntry).value.byteLength;
}

/**
 * The Broker binary encoding of a table of stored rows. Rows given as bytes (read from a
 * file) are each checked to be one whole encoding of a key and one of a value; rows given
 * as strings are a memory backend's own, written by `encodeBinary`.
 * @param rows - stored rows in key order (as a backend's snapshot yields them)
 * @returns a fresh buffer
 * @throws BrokerError `invalid_data` when a stored row is not a whole encoding
 */
export function encodeSnapshotTable(rows: readonly StoredRow[]): Uint8Array {
  let size = 1 + 5;
  for (const row of rows) size += storedRowSize(row);
  const bytes = new Uint8Array(size);
  bytes[0] = TABLE_TAG;
  let pos = 1;
  for (let n = rows.length; ; n >>>= 7) {
    if (n <= 0x7f) {
      bytes[pos++] = n;
      break;
    }
    bytes[pos++] = (n & 0x7f) | 0x80;
  }
  for (const row of rows) {
    if (Array.isArray(row)) {
      pos = writeLatin1(bytes, row[0] as string, pos);
      pos = writeLatin1(bytes, row[1] as string, pos);
    } else {
      const { key, value } = row as EncodedEntry;
      checkStored(key);
      checkStored(value);
      bytes.set(key, pos);
      pos += key.byteLength;
      bytes.set(value, pos);
      pos += value.byteLength;
    }
  }
  return bytes.subarray(0, pos);
}

/**
 * Writes a latin1 string's bytes (one per character) at `pos`; returns where they end. A
 * loop: a stored row is a few dozen bytes, where a call into the runtime per string
 * costs more than the copy.
 */
function writeLatin1(out: Uint8Array, text: string, pos: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) out[pos + i] = text.charCodeAt(i);
  return pos + n;
}

const scan: EncodedScan = { end: 0, plain: true };

/** A stored encoding that is not one whole value fails with the decoder's reason. */
function checkStored(bytes: Uint8Array): void {
  if (scanEncoded(bytes, 0, bytes.length, scan).end === bytes.length) return;
  let reason = 'not one whole value';
  try {
    decodeBinary(bytes);
  } catch (err) {
    reason = (err as Error).message;
  }
  throw new BrokerError('invalid_data', `snapshot: a stored row does not decode: ${reason}`);
}

/**
 * Walks the entries of a table's encoding, calling `entry` with where each entry's key
 * and value lie and whether both are in the form `encodeBinary` writes.
 * @returns how many entries the table holds, or -1 when the bytes are not a table's
 *   encoding as walked (the caller then decodes them as a whole, which reports why)
 */
function walkTable(bytes: Uint8Array, entry: (keyStart: number, keyEnd: number, valueEnd: number, plain: boolean) => void): number {
  const end = bytes.length;
  let pos = 1;
  let n = 0;
  let scale = 1;
  let header = end > 0 && bytes[0] === TABLE_TAG;
  for (let i = 0; header; i++) {
    if (pos >= end || i === 5) {
      header = false;
      break;
    }
    const b = bytes[pos++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) break;
    scale *= 128;
  }
  if (!header || 2 * n > end - pos) return -1;
  for (let i = 0; i < n; i++) {
    const keyPlain = scanEncoded(bytes, pos, end, scan).plain;
    const keyEnd = scan.end;
    if (keyEnd < 0) return -1;
    const valuePlain = scanEncoded(bytes, keyEnd, end, scan).plain;
    const valueEnd = scan.end;
    if (valueEnd < 0) return -1;
    entry(pos, keyEnd, valueEnd, keyPlain && valuePlain);
    pos = valueEnd;
  }
  return pos === end ? n : -1;
}

/**
 * Writes the entries of a table's encoding into a memory backend: each key and value
 * whose bytes are in the form the backend stores goes in as they are, any other entry is
 * decoded and stored as `put` stores it, and the whole table is decoded the usual way
 * when it is malformed (which reports why).
 * @param bytes - the Broker binary encoding of a table
 * @param into - the backend (entries already in it with the same keys are replaced)
 * @returns how many entries the table holds
 * @throws BrokerError when the bytes are not the encoding of a table, or an entry cannot be stored
 */
export function putSnapshotTable(bytes: Uint8Array, into: MemoryBackend): number {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = walkTable(bytes, (keyStart, keyEnd, valueEnd, plain) => {
    if (plain) into.putEncoded(text.toString('latin1', keyStart, keyEnd), text.toString('latin1', keyEnd, valueEnd));
    else into.put(decodeBinary(bytes.subarray(keyStart, keyEnd)), decodeBinary(bytes.subarray(keyEnd, valueEnd)));
  });
  if (n >= 0) return n;
  const table = decodedTable(bytes);
  for (const [k, v] of table) into.put(k, v);
  return table.size;
}

/**
 * The entries of a table's encoding, decoded one by one, in the order they travel: keys
 * equal in Broker's order but encoded apart (`0.0` and `-0.0`) stay two entries, where a
 * `BrokerTable` would hold one of them.
 * @param bytes - the Broker binary encoding of a table
 * @throws BrokerError when the bytes are not the encoding of a table
 */
export function snapshotTableEntries(bytes: Uint8Array): Array<[Data, Data]> {
  const entries: Array<[Data, Data]> = [];
  const n = walkTable(bytes, (keyStart, keyEnd, valueEnd) => {
    entries.push([decodeBinary(bytes.subarray(keyStart, keyEnd)), decodeBinary(bytes.subarray(keyEnd, valueEnd))]);
  });
  return n >= 0 ? entries : [...decodedTable(bytes)];
}

/** The bytes decoded as a whole: the decoder reports what is wrong with a malformed table. */
function decodedTable(bytes: Uint8Array): BrokerTable {
  const table: Data = decodeBinary(bytes);
  if (!(table instanceof BrokerTable)) throw new BrokerError('invalid_data', 'snapshot: the entries are not a table');
  return table;
}
