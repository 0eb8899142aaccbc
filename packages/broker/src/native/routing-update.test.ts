import { BrokerError } from '@broker-ts/data';
import { decodeRoutingUpdate, encodeRoutingUpdate } from './routing-update';

describe('routing update payload', () => {
  it('is a varbyte count then varbyte-prefixed topics, and round-trips', () => {
    expect(encodeRoutingUpdate(['/a', 'zeek/event'])).toEqual(Buffer.from('02022f610a7a65656b2f6576656e74', 'hex'));
    expect(decodeRoutingUpdate(encodeRoutingUpdate(['/a', 'zeek/event']))).toEqual(['/a', 'zeek/event']);
    expect(decodeRoutingUpdate(encodeRoutingUpdate([]))).toEqual([]);
  });

  it('uses multi-byte varbytes for long topics', () => {
    const long = 't'.repeat(300);
    const bytes = encodeRoutingUpdate([long]);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0x01, 0xac, 0x02]));
    expect(decodeRoutingUpdate(bytes)).toEqual([long]);
  });

  it('refuses a count that disagrees with the topics and a topic past the end', () => {
    expect(() => decodeRoutingUpdate(Buffer.from('03022f61', 'hex'))).toThrow(BrokerError);
    expect(() => decodeRoutingUpdate(Buffer.from('01052f61', 'hex'))).toThrow(/routing update/);
    expect(() => decodeRoutingUpdate(Buffer.alloc(0))).toThrow(BrokerError);
  });
});
