import { decodeBinary, encodeBinary, type Data } from '@broker-ts/data';
import type { EncodedEntry } from './backend';
import { SortedRuns, SortingRows, SORT_RUN } from './sorting-rows';

const row = (key: Data, value: Data): EncodedEntry => ({ key: encodeBinary(key), value: encodeBinary(value) });
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('SortedRuns and SortingRows', () => {
  test('keys equal in Broker order but encoded apart come out by their bytes, in one run or across runs', () => {
    const want = [0.0, -0.0, 1.5, 'a', [1n, 0.0], [1n, -0.0]].map((k) => hex(encodeBinary(k)));
    const one = new SortedRuns<EncodedEntry>(decodeBinary);
    one.add([row([1n, -0.0], 6n), row('a', 4n), row(-0.0, 2n), row(1.5, 3n), row(0.0, 1n), row([1n, 0.0], 5n)]);
    expect([...one.merge()].map((r) => hex(r.key))).toEqual(want);
    // Each of an equal pair in another run, the later key in the earlier run.
    const split = new SortedRuns<EncodedEntry>(decodeBinary);
    split.add([row(-0.0, 2n), row([1n, 0.0], 5n), row('a', 4n)]);
    split.add([row([1n, -0.0], 6n), row(0.0, 1n)]);
    split.add([row(1.5, 3n)]);
    expect([...split.merge()].map((r) => hex(r.key))).toEqual(want);
  });

  test('a store larger than a run: every row once, in order; an equal pair in two runs, by its bytes', () => {
    const names: EncodedEntry[] = [];
    for (let i = 0; i < SORT_RUN; i++) names.push(row(`k${String(i).padStart(6, '0')}`, BigInt(i)));
    // -0.0 in the first run, 0.0 in the second: the merge puts 0.0 first.
    const sorted = new SortingRows([row(-0.0, 'minus'), ...names, row(0.0, 'plus')], decodeBinary);
    expect(sorted.prepare()).toBe(false);
    expect(sorted.prepare()).toBe(true);
    const out = [...sorted].map((r) => decodeBinary(r.value));
    expect(out.slice(0, 2)).toEqual(['plus', 'minus']);
    expect(out.slice(2)).toEqual(names.map((_, i) => BigInt(i)));
  });
});
