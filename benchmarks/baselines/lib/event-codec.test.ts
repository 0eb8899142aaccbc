/// <reference types="jest" />
import { assertConnEvent, decodeEvent, encodeEvent } from './event-codec';

describe('event-codec', () => {
  it('round-trips a plain object with named fields as standard CBOR', () => {
    const event = { event: 'event_2', ts: 1.5, id: { orig_p: 4567 }, tunnel_parents: ['a', 'b'], local_orig: true };
    const bytes = encodeEvent(event);
    expect(bytes[0] >> 5).toBe(5); // CBOR major type 5: a map, not a cbor-x record
    const back = decodeEvent(bytes);
    expect(back).toEqual(event);
    expect(() => assertConnEvent(back)).not.toThrow();
  });

  it('rejects what is not the conn event', () => {
    expect(() => assertConnEvent(undefined)).toThrow(/not the conn event/);
    expect(() => assertConnEvent(decodeEvent(encodeEvent({ event: 'event_1' })))).toThrow(/not the conn event/);
    expect(() => assertConnEvent(decodeEvent(encodeEvent([1, 2])))).toThrow(/not the conn event/);
  });
});
