import fc from 'fast-check';
import { encodeBinary } from '@broker-ts/data';
import { arbData } from '../../../../data/test/arbitraries';
import { approximateSize } from './approximate-size';
import { STORE_ROW_MAX_BYTES, writeBytesOver } from './row-limit';
import { writeCommands } from './write-command';

describe('the row limit', () => {
  test('leaves room for a store message around a row within one peer message', () => {
    expect(STORE_ROW_MAX_BYTES).toBe(16 * 1024 * 1024 - 128 * 1024);
  });

  test('an encoding is at most 1.5 times the approximate size, so writes estimated below two thirds of the limit need no encoding', () => {
    fc.assert(
      fc.property(arbData, (value) => {
        expect(encodeBinary(value).length).toBeLessThanOrEqual(1.5 * approximateSize(value));
      }),
      { numRuns: 2000 },
    );
    // The worst case: characters of three UTF-8 bytes.
    const wide = '€'.repeat(1000);
    expect(encodeBinary(wide).length).toBeLessThanOrEqual(1.5 * approximateSize(wide));
  });

  test('names the exact bytes of a write over the limit and 0 for one within it', () => {
    const key = 'k';
    const value = 'v'.repeat(1000);
    const bytes = encodeBinary(key).length + encodeBinary(value).length;
    expect(writeBytesOver(writeCommands.put(key, value), bytes)).toBe(0);
    expect(writeBytesOver(writeCommands.put(key, value), bytes - 1)).toBe(bytes);
    expect(writeBytesOver(writeCommands.putUnique(key, value, 1), bytes - 1)).toBe(bytes);
    expect(writeBytesOver(writeCommands.append(key, value), bytes - 1)).toBe(bytes);
    expect(writeBytesOver(writeCommands.erase(value), 10)).toBe(encodeBinary(value).length);
    expect(writeBytesOver(writeCommands.clear(), 1)).toBe(0);
  });
});
