/**
 * Type-level tests of the public API: these lines must type-check (tsc runs over tests),
 * and the `@ts-expect-error` lines must not.
 */
import {
  address,
  type BrokerError,
  count,
  type Data,
  type DataInput,
  type DataTypeName,
  decodeBinary,
  encodeBinary,
  type ErrorCodeName,
  ErrorCode,
  port,
  set,
  StatusCode,
  type StatusCodeName,
  table,
  timespan,
  timestamp,
  typeOf,
} from '@broker-ts/data';

test('exact data, natural input and code names have the types the API promises', () => {
  const exact: Data[] = [null, true, count(1), 1n, 1.5, 'a', new Uint8Array(1), address('::1'), port(80, 'tcp'), timestamp(0n), timespan(1), set([1n]), table({ a: 1n }), [1n, ['x']]];
  const input: DataInput[] = [...exact, undefined, new Date(0), new Set([1n]), new Map([[1n, 'x']]), { k: 1n }];
  // @ts-expect-error a Date is input, not exact data
  const notExact: Data = new Date(0);
  // @ts-expect-error a function is not a Broker value
  const notInput: DataInput = () => 1;
  // @ts-expect-error port protocols are a closed set (and refused at run time too)
  expect(() => port(1, 'sctp')).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  const code: ErrorCodeName = 'type_clash';
  // @ts-expect-error not an error code name
  const badCode: ErrorCodeName = 'TypeClash';
  const status: StatusCodeName = 'peer_added';
  const name: DataTypeName = typeOf(exact[2]);
  const decoded: Data = decodeBinary(encodeBinary(input[exact.length]));
  const err: BrokerError['code'] = code;
  expect([notExact, notInput, badCode].length).toBe(3);
  expect(ErrorCode[err]).toBe(11);
  expect(StatusCode[status]).toBe(1);
  expect(name).toBe('count');
  expect(decoded).toBeNull();
});
