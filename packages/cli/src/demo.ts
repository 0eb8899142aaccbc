/**
 * The broker-ts demo: shows Broker's data model at work. Run with
 * `npx --yes pnpm@12.4.2 run demo`. Later stages of the project grow this into a small
 * cluster (endpoints in worker threads and processes sharing events and a store).
 */
import {
  address, BrokerError, compare, count, decodeBinary, decodeJson, encodeBinary, encodeJson, enumValue, port, set,
  subnet, table, timespan, timestamp, toString, typeOf, type Data,
} from '@broker-ts/data';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

function section(title: string): void {
  console.log(`\n== ${title} ==`);
}

/** Runs the demo and returns the process exit code. */
export function main(): number {
  section('Broker values and their text form');
  const values: Data[] = [
    null, true, count(42), -7n, 1.5, 'hello',
    address('10.0.0.1'), address('2001:db8::1'), subnet('192.168.1.77/24'), port(80, 'tcp'),
    timestamp(new Date('2020-01-01T00:00:00Z')), timespan(1500), enumValue('Conn::LOG'),
    set(['b', 'a', 'c']), table(new Map<Data, Data>([['k', [count(1), count(2)]]])), [count(1), 'a', [2n, 3n]],
  ];
  for (const v of values) console.log(`${typeOf(v).padEnd(10)} ${toString(v)}`);

  section("Broker's total order (across types by type, within types by value)");
  const mixed: Data[] = ['k', 2.5, count(5), -1n, address('::1'), subnet('10.0.0.0/8'), subnet('10.0.0.0/16')];
  console.log(mixed.slice().sort(compare).map(toString).join('  <  '));

  section('Binary format (byte-compatible with Broker and its SQLite stores)');
  const record: Data = [count(1), count(1), ['event_1', [42n, 'test']]];
  const bytes = encodeBinary(record);
  console.log(`${toString(record)}\n  -> ${bytes.length} bytes: ${hex(bytes)}`);
  console.log(`  <- ${toString(decodeBinary(bytes))}`);

  section('WebSocket JSON v1');
  const json = encodeJson([1.0, timespan(1500), set(['foo', 'bar'])]);
  console.log(json);
  console.log(`  <- ${toString(decodeJson(json))}`);

  section('Bad input is a BrokerError with a Broker error code');
  const attempts: Array<[string, () => unknown]> = [
    ['truncated bytes', () => decodeBinary(bytes.subarray(0, bytes.length - 3))],
    ['a 2^60 length field', () => decodeBinary(Uint8Array.from([0x0e, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]))],
    ['an invalid address', () => address('300.1.2.3')],
    ['malformed JSON', () => decodeJson('{"@data-type":"count","data":')],
    ['a negative count in JSON', () => decodeJson('{"@data-type":"count","data":-1}')],
  ];
  for (const [what, attempt] of attempts) {
    try {
      attempt();
      console.log(`${what}: accepted?!`);
      return 1;
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      console.log(`${what}: ${err.code} (${err.ec}): ${err.message}`);
    }
  }
  return 0;
}

if (require.main === module) process.exitCode = main();
