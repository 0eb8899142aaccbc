import { count, Count } from '@broker-ts/broker';

import { isStop, makePing, makePong, pingId, pongId, STOP_MESSAGE } from './node-messages';

describe("broker-node's messages", () => {
  it("builds Broker's ping and pong and reads their ids back", () => {
    const ping = makePing(3, 4);
    expect(ping).toEqual(['ping', count(3), 'xxxx']);
    expect(pingId(ping)).toBe(3n);
    expect(pongId(ping)).toBeUndefined();
    const pong = makePong(3n);
    expect(pong).toEqual(['pong', new Count(3n)]);
    expect(pongId(pong)).toBe(3n);
    expect(pingId(pong)).toBeUndefined();
  });

  it('ignores look-alikes: wrong arity, an integer id instead of a count, other strings', () => {
    expect(pingId(['ping', count(1)])).toBeUndefined();
    expect(pingId(['ping', 1n, ''])).toBeUndefined();
    expect(pongId(['pong', 1])).toBeUndefined();
    expect(pongId('pong')).toBeUndefined();
    expect(isStop(STOP_MESSAGE)).toBe(true);
    expect(isStop(['stop'])).toBe(false);
  });
});
