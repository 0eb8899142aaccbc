import type { ProducerMessage } from './channel-message';
import { ChannelProducer, type DropReason } from './channel-producer';

interface Sent {
  to: string | '*';
  msg: ProducerMessage<string>;
}

function producer(options = {}) {
  // Nothing retained unless a test asks: the buffer then holds exactly the unacknowledged events.
  options = { retainedEvents: 0, ...options };
  const out: Sent[] = [];
  const dropped: [string, DropReason][] = [];
  const completed: string[] = [];
  const p = new ChannelProducer<string>(
    {
      send: (to, msg) => out.push({ to, msg }),
      broadcast: (msg) => out.push({ to: '*', msg }),
      drop: (c, r) => dropped.push([c, r]),
      handshakeCompleted: (c) => completed.push(c),
      // A payload's size is its length: tests choose what each event weighs.
      sizeOf: (payload) => payload.length,
    },
    options,
  );
  return { p, out, dropped, completed, take: () => out.splice(0) };
}

/** Lets every consumer time out (the default connectionTimeout of 100 ticks): cut off, not detached. */
function cutOff(p: ChannelProducer<string>): void {
  for (let i = 0; i < 100; i++) p.tick();
}

describe('ChannelProducer', () => {
  test('a handshake request from an unknown consumer adds it at the current sequence number', () => {
    const { p, take, completed } = producer();
    p.produce('a');
    p.handleNack('c1', [0], 0);
    expect(take()).toEqual([
      { to: '*', msg: { kind: 'event', seq: 1, payload: 'a' } },
      { to: 'c1', msg: { kind: 'handshake', offset: 1, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100 } },
    ]);
    expect(p.hasPendingPaths).toBe(true);
    expect(p.idle).toBe(false);
    p.handleAck('c1', 1, 0);
    expect(completed).toEqual(['c1']);
    expect(p.idle).toBe(true);
  });

  test('events are numbered from 1, broadcast, and kept until every consumer acknowledged them', () => {
    const { p, take } = producer();
    p.add('c1');
    p.add('c2');
    take();
    expect(p.produce('a')).toBe(1);
    expect(p.produce('b')).toBe(2);
    expect(p.buffered).toBe(2);
    p.handleAck('c1', 2, 0);
    expect(p.buffered).toBe(2);
    p.handleAck('c2', 1, 0);
    expect(p.buffered).toBe(1);
    p.handleAck('c2', 2, 0);
    expect(p.buffered).toBe(0);
    expect(p.idle).toBe(true);
  });

  test('a NACK retransmits the listed events to that consumer only and acknowledges what precedes them', () => {
    const { p, take } = producer();
    p.add('c1');
    p.handleAck('c1', 0, 0);
    for (const x of ['a', 'b', 'c', 'd']) p.produce(x);
    take();
    p.handleNack('c1', [2, 4], 0);
    expect(take()).toEqual([
      { to: 'c1', msg: { kind: 'event', seq: 2, payload: 'b' } },
      { to: 'c1', msg: { kind: 'event', seq: 4, payload: 'd' } },
    ]);
    expect(p.paths.get('c1')?.acked).toBe(1);
    expect(p.buffered).toBe(3);
  });

  test('an event evicted from the bounded buffer is answered with retransmitFailed', () => {
    const { p, take } = producer({ bufferCapacity: 2 });
    p.add('c1');
    p.handleAck('c1', 0, 0);
    for (const x of ['a', 'b', 'c']) p.produce(x);
    expect(p.buffered).toBe(2);
    take();
    p.handleNack('c1', [1, 2], 0);
    expect(take()).toEqual([{ to: 'c1', msg: { kind: 'retransmitFailed', seq: 1, epoch: 0 } }]);
  });

  test('an idle producer broadcasts a heartbeat with its latest sequence number every heartbeatInterval ticks', () => {
    const { p, take } = producer({ heartbeatInterval: 3 });
    p.produce('a');
    take();
    p.tick();
    p.tick();
    expect(take()).toEqual([]);
    p.tick();
    expect(take()).toEqual([{ to: '*', msg: { kind: 'heartbeat', seq: 1 } }]);
    p.tick();
    p.produce('b');
    p.tick();
    p.tick();
    expect(take().map((s) => s.msg.kind)).toEqual(['event']);
    p.tick();
    expect(take()).toEqual([{ to: '*', msg: { kind: 'heartbeat', seq: 2 } }]);
  });

  test('a consumer silent for connectionTimeout ticks is dropped and no longer holds events back', () => {
    const { p, dropped } = producer({ connectionTimeout: 4 });
    p.add('c1');
    p.add('c2');
    p.handleAck('c1', 0, 0);
    p.handleAck('c2', 0, 0);
    p.produce('a');
    for (let i = 0; i < 3; i++) {
      p.tick();
      p.handleAck('c1', 1, 0);
    }
    expect(p.buffered).toBe(1);
    p.tick();
    expect(dropped).toEqual([['c2', 'connection_timeout']]);
    expect(p.buffered).toBe(0);
    expect(p.idle).toBe(true);
  });

  test('a consumer heard outside the channel (of its current epoch) is not timed out', () => {
    const { p, dropped } = producer({ connectionTimeout: 4 });
    p.add('c1', 2);
    for (let i = 0; i < 3; i++) {
      p.tick();
      p.heard('c1', 2);
      p.heard('c1', 1); // another epoch: ignored
      p.heard('nobody', 2);
    }
    p.tick();
    expect(dropped).toEqual([]);
    for (let i = 0; i < 3; i++) p.tick();
    expect(dropped).toEqual([['c1', 'connection_timeout']]);
  });

  test('a dropped consumer that still ACKs is told to resync', () => {
    const { p, take } = producer();
    p.produce('a');
    take();
    p.handleAck('ghost', 1, 3);
    expect(take()).toEqual([{ to: 'ghost', msg: { kind: 'retransmitFailed', seq: 2, epoch: 3 } }]);
  });

  test('a repeated handshake request of the same epoch repeats the same handshake; a newer epoch re-adds the consumer', () => {
    const { p, take } = producer();
    p.handleNack('c1', [0], 0);
    p.produce('a');
    take();
    p.handleNack('c1', [0], 0);
    expect(take()).toEqual([{ to: 'c1', msg: expect.objectContaining({ kind: 'handshake', offset: 0, epoch: 0 }) }]);
    p.handleAck('c1', 1, 0);
    p.handleNack('c1', [0], 0); // a late duplicate: ignored once the handshake is done
    expect(take()).toEqual([]);
    p.handleNack('c1', [0], 1);
    expect(take()).toEqual([{ to: 'c1', msg: expect.objectContaining({ kind: 'handshake', offset: 1, epoch: 1 }) }]);
  });

  test('messages of an old epoch are ignored', () => {
    const { p } = producer();
    p.add('c1', 2);
    p.handleAck('c1', 0, 1);
    expect(p.paths.get('c1')?.handshakeDone).toBe(false);
  });

  test('a NACK that is not strictly ascending drops the consumer as invalid', () => {
    const { p, dropped } = producer();
    p.add('c1');
    p.produce('a');
    p.produce('b');
    p.handleNack('c1', [2, 1], 0);
    expect(dropped).toEqual([['c1', 'invalid_message']]);
    expect(p.paths.size).toBe(0);
  });

  test('a detached consumer is removed at once', () => {
    const { p, dropped } = producer();
    p.add('c1');
    p.produce('a');
    expect(p.remove('c1')).toBe(true);
    expect(p.remove('c1')).toBe(false);
    expect(dropped).toEqual([['c1', 'detached']]);
    expect(p.buffered).toBe(0);
  });

  test('bad options are refused with a clear error', () => {
    expect(() => producer({ heartbeatInterval: 0 })).toThrow(/heartbeatInterval.*positive integer/);
    expect(() => producer({ bufferCapacity: 1.5 })).toThrow(/bufferCapacity/);
    expect(() => producer({ retainedEvents: -1 })).toThrow(/retainedEvents.*non-negative integer/);
    expect(() => producer({ retainedBytes: -1 })).toThrow(/retainedBytes.*non-negative integer/);
  });

  test('acknowledged events are kept only while the buffer holds at most retainedBytes, oldest dropped first', () => {
    const { p, take } = producer({ retainedEvents: 100, retainedBytes: 10 });
    p.add('c0');
    const acked = (x: string): void => void p.handleAck('c0', p.produce(x), 0);
    for (const x of ['aaaa', 'bbbb']) acked(x);
    expect(p.buffered).toBe(2);
    acked('cccc'); // 12 bytes: the oldest goes
    expect(p.buffered).toBe(2);
    acked('dddddddddddd'); // 12 bytes on its own: nothing acknowledged stays beside it
    expect(p.buffered).toBe(0);
    p.remove('c0');
    // Events a consumer has not acknowledged are kept whatever they weigh.
    p.add('c1');
    for (const x of ['eeeeeeee', 'ffffffff', 'gggggggg']) p.produce(x);
    expect(p.buffered).toBe(3);
    // Acknowledged up to 6: events 5 and 6 go (24, then 16 bytes held), 7 stays.
    p.handleAck('c1', 6, 0);
    expect(p.buffered).toBe(1);
    // Acknowledged, and within the bound: kept for a consumer that comes back.
    p.handleAck('c1', 7, 0);
    expect(p.buffered).toBe(1);
    cutOff(p);
    p.produce('h');
    expect(p.buffered).toBe(2);
    take();
    p.handleNack('c1', [0], 1, 6);
    expect(take().map((m) => m.msg)).toEqual([
      { kind: 'handshake', offset: 6, epoch: 1, heartbeatInterval: 5, connectionTimeout: 100, resumed: true, latest: 8 },
      { kind: 'event', seq: 7, payload: 'gggggggg' },
      { kind: 'event', seq: 8, payload: 'h' },
    ]);
    p.handleAck('c1', 8, 1);
    expect(p.idle).toBe(true);
  });

  test('the latest retainedEvents are kept after every consumer acknowledged them, and after one was cut off', () => {
    const { p } = producer({ retainedEvents: 3 });
    p.add('c1');
    for (const x of ['a', 'b', 'c', 'd', 'e']) p.produce(x);
    p.handleAck('c1', 5, 0);
    expect(p.buffered).toBe(3);
    cutOff(p);
    expect(p.paths.size).toBe(0);
    expect(p.buffered).toBe(3);
    p.produce('f'); // kept for c1's return, the oldest going
    expect(p.buffered).toBe(3);
    // An unacknowledged consumer still holds more, up to bufferCapacity.
    p.add('c2');
    for (const x of ['g', 'h', 'i', 'j']) p.produce(x);
    expect(p.buffered).toBe(4);
    p.handleAck('c2', 10, 0);
    expect(p.buffered).toBe(3);
  });

  test('nothing acknowledged is kept before a consumer joined or after the last one detached: nobody could resume', () => {
    const { p, take } = producer({ retainedEvents: 3 });
    for (const x of ['a', 'b']) p.produce(x);
    expect(p.buffered).toBe(0);
    p.add('c1');
    for (const x of ['c', 'd']) p.produce(x);
    p.handleAck('c1', 4, 0);
    expect(p.buffered).toBe(2);
    p.remove('c1');
    expect(p.buffered).toBe(0);
    p.produce('e');
    expect(p.buffered).toBe(0);
    take();
    // Coming back, it joins afresh.
    p.handleNack('c1', [0], 1, 4);
    expect(take()).toEqual([{ to: 'c1', msg: { kind: 'handshake', offset: 5, epoch: 1, heartbeatInterval: 5, connectionTimeout: 100 } }]);
  });

  test('a consumer that comes back resumes from its last position: a resumed handshake, then the events it missed', () => {
    const { p, take, completed } = producer({ retainedEvents: 4 });
    p.handleNack('c1', [0], 0);
    p.handleAck('c1', 0, 0);
    for (const x of ['a', 'b', 'c']) p.produce(x);
    p.handleAck('c1', 2, 0);
    cutOff(p); // after it delivered event 2
    p.produce('d');
    take();
    p.handleNack('c1', [0], 1, 2);
    expect(take()).toEqual([
      { to: 'c1', msg: { kind: 'handshake', offset: 2, epoch: 1, heartbeatInterval: 5, connectionTimeout: 100, resumed: true, latest: 4 } },
      { to: 'c1', msg: { kind: 'event', seq: 3, payload: 'c' } },
      { to: 'c1', msg: { kind: 'event', seq: 4, payload: 'd' } },
    ]);
    // A repeated request of the same epoch repeats the resumed handshake.
    p.handleNack('c1', [0], 1, 2);
    expect(take()).toEqual([{ to: 'c1', msg: { kind: 'handshake', offset: 2, epoch: 1, heartbeatInterval: 5, connectionTimeout: 100, resumed: true, latest: 4 } }]);
    p.handleAck('c1', 4, 1);
    expect(completed).toEqual(['c1', 'c1']);
    expect(p.idle).toBe(true);
    // Up to date: a resume with nothing missed.
    p.handleNack('c1', [0], 2, 4);
    expect(take()).toEqual([{ to: 'c1', msg: { kind: 'handshake', offset: 4, epoch: 2, heartbeatInterval: 5, connectionTimeout: 100, resumed: true, latest: 4 } }]);
  });

  test('a consumer whose position is no longer held, or ahead of the producer, joins afresh at the current sequence number', () => {
    const { p, take } = producer({ retainedEvents: 2 });
    p.add('c0');
    for (const x of ['a', 'b', 'c', 'd', 'e']) p.produce(x);
    p.handleAck('c0', 5, 0);
    cutOff(p);
    take();
    expect(p.resume('c1', 0, 2)).toBe(false);
    p.handleNack('c1', [0], 0, 2); // event 3 was evicted
    expect(take()).toEqual([{ to: 'c1', msg: { kind: 'handshake', offset: 5, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100 } }]);
    p.handleNack('c2', [0], 0, 9);
    expect(take()).toEqual([{ to: 'c2', msg: { kind: 'handshake', offset: 5, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100 } }]);
    p.handleNack('c3', [0], 0, 3); // events 4 and 5 are held
    expect(take().map((s) => s.msg)).toEqual([
      { kind: 'handshake', offset: 3, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, resumed: true, latest: 5 },
      { kind: 'event', seq: 4, payload: 'd' },
      { kind: 'event', seq: 5, payload: 'e' },
    ]);
  });

  test('acks beyond the latest sequence number and malformed numbers are ignored; a malformed NACK drops the consumer', () => {
    const { p, dropped } = producer();
    p.add('c1');
    p.handleAck('c1', 7, 0);
    p.handleAck('c1', Number.NaN, 0);
    expect(p.paths.get('c1')?.handshakeDone).toBe(false);
    p.handleNack('c1', [-1], 0);
    expect(dropped).toEqual([['c1', 'invalid_message']]);
  });
});
