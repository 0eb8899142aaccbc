import { encodeBinary, table, Timespan } from '@broker-ts/data';
import { parseCloneMessage, parseMasterMessage } from './store-message';

const M = { endpoint: 'm', object: 1 };
const C = { endpoint: 'c', object: 2 };

describe('parseMasterMessage', () => {
  test('accepts every master message', () => {
    const ok = [
      { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([])) },
      { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([['a', 1n]])), more: true, instance: 'i1' },
      { type: 'ackClone', store: 's', master: M, clone: C, offset: 7, epoch: 2, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([])), instance: 'i1', resumed: true },
      { type: 'snapshotChunk', store: 's', master: M, clone: C, offset: 0, epoch: 0, index: 1, snapshot: encodeBinary(table([['b', 2n]])), last: true },
      { type: 'event', store: 's', master: M, clone: null, seq: 1, command: { op: 'put', key: 'k', value: 1n, expiry: Timespan.fromMilliseconds(1), publisher: null } },
      { type: 'event', store: 's', master: M, clone: C, seq: 2, command: { op: 'clear', publisher: C } },
      { type: 'heartbeat', store: 's', master: M, seq: 3 },
      { type: 'retransmitFailed', store: 's', master: M, clone: C, seq: 1, epoch: 0 },
      { type: 'writeAck', store: 's', master: M, clone: C, applied: 2, seq: 3, outcomes: [{ writeId: 1, inserted: true }, { writeId: 2, error: { code: 'type_clash', message: 'x' } }] },
    ];
    for (const m of ok) expect(parseMasterMessage(m)).toBe(m);
  });

  test.each([
    ['not an object', 42, /message is not an object/],
    ['no store', { type: 'heartbeat', master: M, seq: 1 }, /'store' must be a string/],
    ['an unknown type', { type: 'boom', store: 's', master: M }, /unknown master message type/],
    ['a negative seq', { type: 'heartbeat', store: 's', master: M, seq: -1 }, /'seq'/],
    ['a snapshot that is not a table', { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: {} }, /'snapshot'/],
    ['a bad instance', { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([])), instance: 3 }, /'instance'/],
    ['a bad resumed flag', { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([])), resumed: 'yes' }, /'resumed'/],
    ['a bad more flag', { type: 'ackClone', store: 's', master: M, clone: C, offset: 0, epoch: 0, heartbeatInterval: 5, connectionTimeout: 100, snapshot: encodeBinary(table([])), more: 1 }, /'more'/],
    ['a chunk at index 0', { type: 'snapshotChunk', store: 's', master: M, clone: C, offset: 0, epoch: 0, index: 0, snapshot: encodeBinary(table([])), last: true }, /'index' starts at 1/],
    ['a chunk without last', { type: 'snapshotChunk', store: 's', master: M, clone: C, offset: 0, epoch: 0, index: 1, snapshot: encodeBinary(table([])) }, /'last'/],
    ['a chunk that is not a table', { type: 'snapshotChunk', store: 's', master: M, clone: C, offset: 0, epoch: 0, index: 1, snapshot: [], last: false }, /'snapshot'/],
    ['a chunk without clone', { type: 'snapshotChunk', store: 's', master: M, offset: 0, epoch: 0, index: 1, snapshot: encodeBinary(table([])), last: false }, /'clone'/],
    ['a chunk without epoch', { type: 'snapshotChunk', store: 's', master: M, clone: C, offset: 0, index: 1, snapshot: encodeBinary(table([])), last: false }, /'epoch'/],
    ['an unknown command', { type: 'event', store: 's', master: M, clone: null, seq: 1, command: { op: 'add', key: 'k', publisher: null } }, /unknown command op/],
    ['an expiry that is not a timespan', { type: 'event', store: 's', master: M, clone: null, seq: 1, command: { op: 'put', key: 'k', value: 1n, expiry: 5, publisher: null } }, /'expiry'/],
    ['an unknown error code', { type: 'writeAck', store: 's', master: M, clone: C, applied: 1, seq: 1, outcomes: [{ writeId: 1, error: { code: 'nope', message: '' } }] }, /known code/],
    ['a bad master id', { type: 'heartbeat', store: 's', master: { endpoint: 'm' }, seq: 1 }, /'master' must be an entity id/],
  ])('refuses %s with invalid_message', (_, msg, re) => {
    expect(() => parseMasterMessage(msg)).toThrow(expect.objectContaining({ code: 'invalid_message', message: expect.stringMatching(re) }));
  });
});

describe('parseCloneMessage', () => {
  test('accepts every clone message', () => {
    const ok = [
      { type: 'nack', store: 's', clone: C, master: null, seqs: [0], epoch: 0 },
      { type: 'nack', store: 's', clone: C, master: null, seqs: [0], epoch: 1, resume: { master: M, instance: 'i1', seq: 12 } },
      { type: 'ack', store: 's', clone: C, master: M, seq: 4, epoch: 1 },
      { type: 'write', store: 's', clone: C, master: M, writeId: 1, base: 1, command: { op: 'putUnique', key: 'k', value: 1n, expiry: null, publisher: null, requestId: 3 } },
      { type: 'write', store: 's', clone: C, master: M, writeId: 2, base: 1, command: { op: 'add', key: 'k', value: 1n, initType: 'count', expiry: null, publisher: null } },
      { type: 'detach', store: 's', clone: C, master: M },
      { type: 'snapshotAck', store: 's', clone: C, master: M, offset: 3, epoch: 1, received: 2 },
      { type: 'snapshotAck', store: 's', clone: C, master: M, offset: 3, epoch: 1, received: 2, retry: true },
    ];
    for (const m of ok) expect(parseCloneMessage(m)).toBe(m);
  });

  test.each([
    ['an empty NACK', { type: 'nack', store: 's', clone: C, master: null, seqs: [], epoch: 0 }, /'seqs'/],
    ['a huge NACK', { type: 'nack', store: 's', clone: C, master: null, seqs: new Array(70_000).fill(1), epoch: 0 }, /at most/],
    ['a resume point without instance', { type: 'nack', store: 's', clone: C, master: null, seqs: [0], epoch: 0, resume: { master: M, seq: 1 } }, /'resume.instance'/],
    ['a resume point with a bad master', { type: 'nack', store: 's', clone: C, master: null, seqs: [0], epoch: 0, resume: { master: 'm', instance: 'i', seq: 1 } }, /'master' must be an entity id/],
    ['a resume point with a bad seq', { type: 'nack', store: 's', clone: C, master: null, seqs: [0], epoch: 0, resume: { master: M, instance: 'i', seq: -1 } }, /'seq'/],
    ['write id 0', { type: 'write', store: 's', clone: C, master: M, writeId: 0, base: 1, command: { op: 'clear', publisher: null } }, /start at 1/],
    ['a putUnique without request id', { type: 'write', store: 's', clone: C, master: M, writeId: 1, base: 1, command: { op: 'putUnique', key: 'k', value: 1n, expiry: null, publisher: null } }, /'requestId'/],
    ['a put without value', { type: 'write', store: 's', clone: C, master: M, writeId: 1, base: 1, command: { op: 'put', key: 'k', expiry: null, publisher: null } }, /'value' is missing/],
    ['an ack without master', { type: 'ack', store: 's', clone: C, seq: 1, epoch: 0 }, /'master'/],
    ['a snapshot ACK of nothing', { type: 'snapshotAck', store: 's', clone: C, master: M, offset: 0, epoch: 0, received: 0 }, /'received' starts at 1/],
    ['a snapshot ACK without master', { type: 'snapshotAck', store: 's', clone: C, master: null, offset: 0, epoch: 0, received: 1 }, /'master'/],
    ['a snapshot ACK with a bad retry', { type: 'snapshotAck', store: 's', clone: C, master: M, offset: 0, epoch: 0, received: 1, retry: 'yes' }, /'retry'/],
    ['a snapshot ACK without offset', { type: 'snapshotAck', store: 's', clone: C, master: M, epoch: 0, received: 1 }, /'offset'/],
  ])('refuses %s with invalid_message', (_, msg, re) => {
    expect(() => parseCloneMessage(msg)).toThrow(expect.objectContaining({ code: 'invalid_message', message: expect.stringMatching(re) }));
  });
});
