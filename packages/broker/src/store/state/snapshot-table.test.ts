import { BrokerError, BrokerSet, BrokerTable, Count, decodeBinary, encodeBinary, EnumValue, Subnet, Address, type Data } from '@broker-ts/data';
import { MemoryBackend, type EncodedEntry } from '../backend';
import { randomData } from '../backend/__fixtures__/random-data';
import { prng } from '../seeded-random';
import { EMPTY_TABLE_ENCODING, encodeSnapshotTable, putSnapshotTable, snapshotTableEntries, type StoredRow } from './snapshot-table';

/** A memory backend holding these entries. */
function backendOf(entries: ReadonlyArray<readonly [Data, Data]>): MemoryBackend {
  const b = new MemoryBackend();
  for (const [k, v] of entries) b.put(k, v);
  return b;
}

/** Its rows in key order, as stored bytes (as a persistent backend's snapshot yields them). */
function byteRows(b: MemoryBackend): EncodedEntry[] {
  return [...b.snapshotRows()];
}

/** Its rows in key order, as the memory backend's own strings. */
function stringRows(b: MemoryBackend): StoredRow[] {
  const rows: StoredRow[] = [];
  const it = b.snapshotRows().latin1Rows!();
  for (let r = it.next(); r.done !== true; r = it.next()) rows.push(r.value);
  return rows;
}

/** Every row's stored encodings, in key order. */
function stored(b: MemoryBackend): Array<[string, string]> {
  return [...b.encodedRows()];
}

function received(bytes: Uint8Array): MemoryBackend {
  const b = new MemoryBackend();
  putSnapshotTable(bytes, b);
  return b;
}

describe('snapshot pieces as the encoding of a table', () => {
  test('a piece is the Broker binary encoding of the table of its rows, from either form of rows', () => {
    const src = backendOf([['b', 2n], ['a', [new Count(1n), 'conn']], [1n, new BrokerSet(['x'])]]);
    for (const rows of [byteRows(src), stringRows(src)]) {
      const bytes = encodeSnapshotTable(rows);
      expect(decodeBinary(bytes)).toEqual(src.snapshot());
      expect(Buffer.from(bytes).equals(Buffer.from(encodeBinary(src.snapshot())))).toBe(true);
    }
    expect(Buffer.from(encodeSnapshotTable([])).equals(Buffer.from(EMPTY_TABLE_ENCODING))).toBe(true);
    expect(decodeBinary(EMPTY_TABLE_ENCODING)).toEqual(new BrokerTable());
  });

  test('the clone stores every row exactly as the master stored it, over values of every type', () => {
    const random = prng(2024);
    const entries: Array<[Data, Data]> = Array.from({ length: 400 }, (_, i) => [i % 3 === 0 ? randomData(random) : `key-${i}`, randomData(random)]);
    const src = backendOf(entries);
    const clone = received(encodeSnapshotTable(stringRows(src)));
    expect(stored(clone)).toEqual(stored(src));
    expect(clone.snapshot()).toEqual(src.snapshot());
  });

  test('more than 127 rows: the header counts them in a longer length', () => {
    const src = backendOf(Array.from({ length: 20_000 }, (_, i) => [`key-${i}`, [new Count(BigInt(i)), 'conn']] as const));
    const bytes = encodeSnapshotTable(stringRows(src));
    expect(putSnapshotTable(bytes, new MemoryBackend())).toBe(20_000);
    expect(stored(received(bytes))).toEqual(stored(src));
  });

  test('entries not in the form a backend stores are stored as put stores them', () => {
    // A set out of order, a length in two bytes, and a subnet whose host bits are set: all decode.
    const unsortedSet = Uint8Array.of(12, 2, 5, 1, 0x62, 5, 1, 0x61);
    const longLength = Uint8Array.of(5, 0x81, 0x00, 0x6b);
    const subnet = Uint8Array.of(7, ...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1, 104);
    const bytes = Buffer.concat([Uint8Array.of(13, 3), encodeBinary('a'), unsortedSet, longLength, encodeBinary(1n), encodeBinary('z'), subnet]);
    const clone = received(bytes);
    const want = backendOf([['a', new BrokerSet(['a', 'b'])], ['k', 1n], ['z', Subnet.fromRawLength(Address.parse('10.0.0.1'), 104)]]);
    expect(stored(clone)).toEqual(stored(want));
  });

  test('entries whose form the walk does not vouch for still go in exact (enums, tables, NaN)', () => {
    const src = backendOf([['e', new EnumValue('tcp')], ['t', new BrokerTable([['x', 1n]])], ['n', Number.NaN]]);
    expect(stored(received(encodeSnapshotTable(byteRows(src))))).toEqual(stored(src));
  });

  test.each<[string, Uint8Array, string]>([
    ['not a table', encodeBinary(['a', 1n]), 'invalid_data'],
    ['a truncated piece', encodeSnapshotTable(byteRows(backendOf([['a', 1n], ['b', 2n]]))).subarray(0, 9), 'deserialization_failed'],
    ['a trailing byte', Buffer.concat([encodeBinary(new BrokerTable([['a', 1n]])), Uint8Array.of(0)]), 'deserialization_failed'],
    ['an unknown tag in a value', Uint8Array.of(13, 1, 5, 1, 0x61, 15), 'invalid_tag'],
    ['more entries counted than there are', Uint8Array.of(13, 2, 0, 0), 'deserialization_failed'],
    ['nothing', new Uint8Array(0), 'deserialization_failed'],
  ])('%s is refused with the decoder\'s error', (_, bytes, code) => {
    for (const read of [(b: Uint8Array) => putSnapshotTable(b, new MemoryBackend()), snapshotTableEntries]) {
      let error: unknown;
      try {
        read(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).code).toBe(code);
    }
  });

  test('read as entries (for a Broker clone), a piece keeps 0.0 and -0.0 as two entries with their values, in order', () => {
    const entries: Array<[Data, Data]> = [[0.0, 'plus'], [-0.0, 'minus'], ['a', new BrokerSet([1n])], [new EnumValue('e'), 2n]];
    const rows = entries.map(([k, v]) => ({ key: encodeBinary(k), value: encodeBinary(v) }));
    const got = snapshotTableEntries(encodeSnapshotTable(rows));
    expect(got.map(([k, v]) => `${Buffer.from(encodeBinary(k)).toString('hex')}=${Buffer.from(encodeBinary(v)).toString('hex')}`)).toEqual(rows.map((r) => `${Buffer.from(r.key).toString('hex')}=${Buffer.from(r.value).toString('hex')}`));
    expect(Object.is(got[1][0], -0)).toBe(true);
  });

  test('a stored row read from a file that is not a whole encoding cannot be sent', () => {
    const rows: EncodedEntry[] = [{ key: encodeBinary('a'), value: Uint8Array.of(2, 0, 0) }];
    expect(() => encodeSnapshotTable(rows)).toThrow(expect.objectContaining({ code: 'invalid_data', message: expect.stringMatching(/stored row does not decode: truncated/) }));
    expect(() => encodeSnapshotTable([{ key: Uint8Array.of(5, 1, 0x61, 0), value: encodeBinary(1n) }])).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });
});
