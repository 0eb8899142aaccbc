import { BrokerError, count } from '@broker-ts/data';
import { JsonClientProtocol } from './json-client-protocol';

function opened(): JsonClientProtocol {
  const p = new JsonClientProtocol(['/a']);
  expect(p.receive('{"type":"ack","endpoint":"e-1","version":"2.8.0-dev.310"}')).toEqual({ kind: 'ack', endpoint: 'e-1', version: '2.8.0-dev.310' });
  return p;
}

test('the first frame is the subscription list as a JSON array', () => {
  expect(new JsonClientProtocol(['/a', '/b']).hello()).toBe('["/a","/b"]');
  expect(new JsonClientProtocol([]).hello()).toBe('[]');
  expect(() => new JsonClientProtocol([1 as never])).toThrow(expect.objectContaining({ code: 'invalid_topic_key' }));
});

test('data messages decode type-exact after the ack', () => {
  expect(opened().receive('{"type":"data-message","topic":"/a/b","@data-type":"count","data":7}')).toEqual({ kind: 'message', topic: '/a/b', value: count(7) });
});

test('error messages become BrokerErrors with the server\'s code and context; an unknown code is unspecified', () => {
  const p = opened();
  const e = p.receive('{"type":"error","code":"deserialization_failed","context":"input #1 contained invalid data"}');
  expect(e.kind).toBe('error');
  const err = (e as { error: BrokerError }).error;
  expect(err).toBeInstanceOf(BrokerError);
  expect([err.code, err.message]).toEqual(['deserialization_failed', 'input #1 contained invalid data']);
  const u = p.receive('{"type":"error","code":"martian","context":"?"}') as { error: BrokerError };
  expect([u.error.code, u.error.context.serverCode]).toEqual(['unspecified', 'martian']);
});

test('protocol violations are named: data before the ack, a second ack, garbage, unknown types', () => {
  const fresh = new JsonClientProtocol(['/a']);
  expect(fresh.receive('{"type":"data-message","topic":"/a","@data-type":"none","data":{}}').kind).toBe('violation');
  const p = opened();
  for (const bad of ['{"type":"ack","endpoint":"x"}', '{oops', '[1]', '{"type":"martian"}']) expect(p.receive(bad)).toMatchObject({ kind: 'violation', error: { code: 'invalid_message' } });
});

test('a data message that does not decode is an error, not a violation', () => {
  expect(opened().receive('{"type":"data-message","topic":"/a","@data-type":"count","data":-1}')).toMatchObject({ kind: 'error', error: { code: 'deserialization_failed' } });
});

test('publish frames are Broker data messages; bad topics and values are refused', () => {
  const p = opened();
  expect(p.publish('/a', count(1))).toBe('{"type":"data-message","topic":"/a","@data-type":"count","data":1}');
  expect(() => p.publish(3 as never, 1)).toThrow(expect.objectContaining({ code: 'invalid_topic_key' }));
  expect(() => p.publish('/a', Symbol('x') as never)).toThrow(BrokerError);
});
