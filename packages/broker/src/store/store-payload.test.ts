import { BrokerError, BrokerTable, count, encodeBinary, table, Timespan } from '@broker-ts/data';
import { decodeStorePayload, encodeNativeStorePayload, encodeStorePayload, isNativeStorePayload, isStorePayload, nativeStoreCommand } from './store-payload';

describe('store payloads', () => {
  test('store messages keep their Broker values exactly', () => {
    const msg = { type: 'event', store: 's', seq: 3, command: { op: 'put', key: 'k', value: [count(1), -0, 2n], expiry: new Timespan(5n), publisher: null }, snapshot: new BrokerTable() };
    const bytes = encodeStorePayload(msg);
    expect(isStorePayload(bytes)).toBe(true);
    const back = decodeStorePayload(bytes) as typeof msg;
    expect(back).toEqual(msg);
    expect(Object.is((back.command.value as unknown[])[1], -0)).toBe(true);
  });

  test('a snapshot piece (the bytes of a table) arrives as the same bytes', () => {
    const piece = encodeBinary(table([['a', 1n], ['b', [count(2), 'x']]]));
    const back = decodeStorePayload(encodeStorePayload({ type: 'snapshotChunk', snapshot: piece })) as { snapshot: unknown };
    expect(back.snapshot).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back.snapshot as Uint8Array).equals(Buffer.from(piece))).toBe(true);
  });

  test('Broker binary data is never mistaken for a store message, and garbage is a BrokerError', () => {
    expect(isStorePayload(Uint8Array.of(0x05, 0x01, 0x61))).toBe(false);
    expect(isStorePayload(new Uint8Array(0))).toBe(false);
    expect(() => decodeStorePayload(Uint8Array.of(0xff, 0xff, 0x00))).toThrow(BrokerError);
  });

  test('a Broker internal_command travels behind its own marker, told apart from both', () => {
    const command = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 5);
    const payload = encodeNativeStorePayload(command);
    expect(isNativeStorePayload(payload)).toBe(true);
    expect(isStorePayload(payload)).toBe(false);
    expect(nativeStoreCommand(payload)).toEqual(command);
    expect(isNativeStorePayload(encodeStorePayload({ type: 'ack' }))).toBe(false);
    for (let tag = 0; tag <= 14; tag++) expect(isNativeStorePayload(Uint8Array.of(tag))).toBe(false);
  });
});
