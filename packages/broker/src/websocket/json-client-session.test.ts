import { count, decodeJsonDataMessage } from '@broker-ts/data';
import { JsonClientSession, type SessionSettings } from './json-client-session';

const settings = (over: Partial<SessionSettings> = {}): SessionSettings => ({ endpointId: 'e-1', version: '2.8.0', bufferSize: 4, overflowPolicy: 'disconnect', ...over });

function opened(over: Partial<SessionSettings> = {}): JsonClientSession {
  const s = new JsonClientSession(settings(over));
  expect(s.receiveText('["/a","/b"]')).toEqual([{ kind: 'attach', topics: ['/a', '/b'] }]);
  expect(s.takeFrames(10)).toEqual(['{"type":"ack","endpoint":"e-1","version":"2.8.0"}']);
  return s;
}

test('the subscription list attaches the client and queues the ack; an empty list makes a publish-only client', () => {
  opened();
  const s = new JsonClientSession(settings());
  expect(s.receiveText(' [ ] ')).toEqual([{ kind: 'attach', topics: [] }]);
  expect(s.state).toBe('open');
});

test('a data message becomes a publish action with the decoded value', () => {
  const s = opened();
  expect(s.receiveText('{"type":"data-message","topic":"/a","@data-type":"count","data":5}')).toEqual([{ kind: 'publish', topic: '/a', value: count(5) }]);
  expect(s.pending).toBe(0);
});

test('bad input is answered with numbered errors and the session stays open', () => {
  const s = opened();
  expect(s.receiveText('nope')).toEqual([]);
  expect(s.receiveText('{}')).toEqual([]);
  const frames = s.takeFrames(10).map((f) => JSON.parse(f).context as string);
  expect(frames[0]).toMatch(/^input #1 contained malformed JSON -> malformed JSON: /);
  expect(frames[1]).toBe('input #2 contained invalid data');
  expect(s.state).toBe('open');
});

test('a first message that is not a list of strings gets no reply and later input is ignored, as in the newest Broker', () => {
  for (const first of ['{}', '["/a", 1]', '[', '"x"']) {
    const s = new JsonClientSession(settings());
    expect(s.receiveText(first)).toEqual([]);
    expect(s.state).toBe('rejected');
    expect(s.receiveText('["/a"]')).toEqual([]);
    expect(s.pending).toBe(0);
  }
});

test('binary frames close with 1003', () => {
  expect(opened().receiveBinary()).toEqual([{ kind: 'close', code: 1003, reason: 'binary frames are not supported, send JSON text' }]);
});

test('a full buffer under disconnect ends the session', () => {
  const s = opened();
  for (let i = 0; i < 4; i++) expect(s.deliver('/a', i)).toBe('queued');
  expect(s.deliver('/a', 4)).toBe('closed');
  expect(s.state).toBe('closed');
  expect(s.deliver('/a', 5)).toBe('dropped');
});

test('dropOldest keeps the newest messages and dropNewest the oldest, counting drops', () => {
  const oldest = opened({ overflowPolicy: 'dropOldest' });
  const newest = opened({ overflowPolicy: 'dropNewest' });
  for (let i = 0; i < 6; i++) {
    oldest.deliver('/a', i);
    newest.deliver('/a', i);
  }
  const values = (s: JsonClientSession) => s.takeFrames(10).map((f) => decodeJsonDataMessage(f).value);
  expect(values(oldest)).toEqual([2, 3, 4, 5]);
  expect(values(newest)).toEqual([0, 1, 2, 3]);
  expect([oldest.dropped, newest.dropped]).toEqual([2, 2]);
});

test('error replies count against the buffer: a client that sends garbage and never reads is closed', () => {
  const s = opened();
  for (let i = 0; i < 4; i++) expect(s.receiveText('x')).toEqual([]);
  expect(s.receiveText('x')).toEqual([{ kind: 'close', code: 1008, reason: 'send buffer overflow' }]);
});

test('internal topics neither enter from a client nor leave to one', () => {
  const s = opened();
  expect(s.receiveText('{"type":"data-message","topic":"<$>/local/data/errors","@data-type":"none","data":{}}')).toEqual([]);
  expect(JSON.parse(s.takeFrames(1)[0]).context).toBe('input #1 used the reserved topic prefix of <$>/local/data/errors');
  expect(s.deliver('<$>/local/data/statuses', 'x')).toBe('dropped');
  expect(s.pending).toBe(0);
});

test('a value with no JSON form (a non-UTF-8 string) is skipped when sent and counted', () => {
  const s = opened();
  s.deliver('/a', new Uint8Array([0xff]));
  s.deliver('/a', 'ok');
  expect(s.takeFrames(10)).toEqual(['{"type":"data-message","topic":"/a","@data-type":"string","data":"ok"}']);
  expect(s.dropped).toBe(1);
});

test('takeFrames hands out at most max frames, oldest first', () => {
  const s = opened();
  for (let i = 0; i < 3; i++) s.deliver('/a', i);
  expect(s.takeFrames(2)).toHaveLength(2);
  expect(s.pending).toBe(1);
  expect(decodeJsonDataMessage(s.takeFrames(2)[0]).value).toBe(2);
});

test('a bad buffer size is refused', () => {
  expect(() => new JsonClientSession(settings({ bufferSize: 0 }))).toThrow(expect.objectContaining({ code: 'invalid_data' }));
});
