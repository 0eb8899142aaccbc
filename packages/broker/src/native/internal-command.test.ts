import { address, BrokerError, count, enumValue, port, set, subnet, table, timespan, timestamp } from '@broker-ts/data';
import { NIL_ENDPOINT_ID } from './endpoint-id';
import { decodeInternalCommand, encodeInternalCommand, type EntityId, type InternalCommand, type InternalCommandContent, INTERNAL_COMMAND_TYPES } from './internal-command';

const A = '00000000-0000-4000-8000-000000000000';
const B = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const ent = (endpoint: string, object: bigint): EntityId => ({ endpoint, object });
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const contents: InternalCommandContent[] = [
  { type: 'put', key: 'k', value: count(1n), expiry: null, publisher: ent(A, 0n) },
  { type: 'put_unique', key: ['a', 1n], value: set(['x', 'y']), expiry: timespan(5_000_000_000n), who: ent(B, 7n), reqId: 42n, publisher: ent(A, 3n) },
  { type: 'put_unique_result', inserted: true, who: ent(B, 7n), reqId: 42n, publisher: ent(A, 0n) },
  { type: 'erase', key: address('192.168.0.1'), publisher: ent(A, 0n) },
  { type: 'expire', key: port(80, 'tcp'), publisher: ent(B, 1n) },
  { type: 'add', key: 'n', value: 5n, initType: 'integer', expiry: timespan(-1n), publisher: ent(A, 0n) },
  { type: 'subtract', key: 's', value: set([1n]), expiry: null, publisher: ent(A, 0n) },
  { type: 'clear', publisher: ent(B, 18446744073709551615n) },
  { type: 'attach_writer', offset: 17n, heartbeatInterval: 5 },
  { type: 'keepalive', seq: 99n },
  { type: 'cumulative_ack', seq: 12n },
  { type: 'nack', seqs: [1n, 3n, 18446744073709551615n] },
  {
    type: 'ack_clone',
    offset: 4n,
    heartbeatInterval: 65535,
    state: [
      ['k', table([['x', subnet('10.0.0.0/8')]])],
      [enumValue('E::a'), timestamp(1_700_000_000_000_000_000n)],
    ],
  },
  { type: 'retransmit_failed', seq: 8n },
];

describe('internal_command binary codec', () => {
  it('covers every alternative of Broker\'s internal_command_variant', () => {
    expect(contents.map((c) => c.type)).toEqual([...INTERNAL_COMMAND_TYPES]);
  });

  it.each(contents.map((c) => [c.type, c] as const))('round-trips %s', (_, content) => {
    const cmd: InternalCommand = { seq: 5n, sender: ent(A, 1n), receiver: ent(NIL_ENDPOINT_ID, 0n), content };
    const bytes = encodeInternalCommand(cmd);
    expect(decodeInternalCommand(bytes)).toEqual(cmd);
    expect(encodeInternalCommand(decodeInternalCommand(bytes))).toEqual(bytes);
  });

  it('lays out a put as Broker\'s inspector writes it: seq, entities, variant index, fields', () => {
    const bytes = encodeInternalCommand({ seq: 5n, sender: ent(A, 1n), receiver: ent(B, 0n), content: contents[0] });
    expect(bytes).toEqual(
      hex(`
        0000000000000005
        00000000000040008000000000000000 0000000000000001
        ffffffffffff4fffbfffffffffffffff 0000000000000000
        00
        05 01 6b
        02 0000000000000001
        00
        00000000000040008000000000000000 0000000000000000`),
    );
  });

  it('writes the expiry as a flag byte and nanoseconds, the heartbeat as a u16', () => {
    const withExpiry = encodeInternalCommand({ seq: 0n, sender: ent(A, 0n), receiver: ent(A, 0n), content: { ...(contents[0] as object), expiry: timespan(1n) } as InternalCommandContent });
    expect(withExpiry.subarray(57 + 3 + 9, 57 + 3 + 9 + 9)).toEqual(hex('01 0000000000000001'));
    const attach = encodeInternalCommand({ seq: 0n, sender: ent(A, 0n), receiver: ent(A, 0n), content: contents[8] });
    expect(attach.subarray(56)).toEqual(hex('08 0000000000000011 0005'));
  });

  it('refuses truncated input, unknown alternatives, bad init types and trailing bytes with invalid_data', () => {
    const good = encodeInternalCommand({ seq: 1n, sender: ent(A, 0n), receiver: ent(B, 0n), content: contents[5] });
    const cases: Buffer[] = [good.subarray(0, good.length - 1), Buffer.concat([good, hex('00')])];
    const unknown = Buffer.from(good);
    unknown[56] = 14;
    cases.push(unknown);
    const badType = Buffer.from(good);
    const typeOffset = 57 + 3 + 9; // key "n", value integer 5
    expect(badType[typeOffset]).toBe(3);
    badType[typeOffset] = 15;
    cases.push(badType);
    for (const bytes of cases) {
      let error: unknown;
      try {
        decodeInternalCommand(bytes);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BrokerError);
      expect((error as BrokerError).code).toBe('invalid_data');
    }
  });

  it('refuses a nack or snapshot that announces more entries than the bytes hold', () => {
    const nack = encodeInternalCommand({ seq: 0n, sender: ent(A, 0n), receiver: ent(A, 0n), content: { type: 'nack', seqs: [] } });
    nack[nack.length - 1] = 0x7f;
    expect(() => decodeInternalCommand(nack)).toThrow(/nack announces/);
  });
});
