/**
 * Encode + decode rate of the conn.log event of Broker's throughput benchmark (reference
 * §8.3, type 2, wrapped as a Zeek event) through Broker's binary format and through cbor-x
 * with the Broker extension, beside cbor-x on the equivalent plain JS object (named
 * fields, the baseline), all in one run.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/data-codec.ts
 * Optional: --round-ms=N --rounds=N
 */
import { Decoder, Encoder, isNativeAccelerationEnabled } from 'cbor-x';
import { cborEncoderOptions, decodeBinary, encodeBinary, installCborExtensions } from '@broker-ts/data';
import { makeConnEvent, makeConnEventPlain } from './lib/conn-event';
import { type Measurement, type MeasureOptions, measure, printTable } from './lib/harness';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const opts: MeasureOptions = { roundMs: option('round-ms', 500), rounds: option('rounds', 5) };
const POOL = 1024; // distinct events, so that no codec sees the same object every call

installCborExtensions();
const brokerEvents = Array.from({ length: POOL }, (_, i) => makeConnEvent(i));
const plainEvents = Array.from({ length: POOL }, (_, i) => makeConnEventPlain(i));

const cborBroker = new Encoder({ ...cborEncoderOptions, useRecords: false });
const cborBrokerDec = new Decoder({ ...cborEncoderOptions, useRecords: false });
const cborMaps = new Encoder({ useRecords: false });
const cborRecords = new Encoder({ useRecords: true, structures: [] });

interface Codec {
  name: string;
  events: unknown[];
  encode(v: unknown): Uint8Array;
  decode(b: Uint8Array): unknown;
}

const BASELINE = 'cbor-x plain object (maps)';
const codecs: Codec[] = [
  { name: BASELINE, events: plainEvents, encode: (v) => cborMaps.encode(v), decode: (b) => cborMaps.decode(b) },
  { name: 'broker binary (encodeBinary)', events: brokerEvents, encode: (v) => encodeBinary(v as never), decode: (b) => decodeBinary(b) },
  { name: 'cbor-x + Broker extension', events: brokerEvents, encode: (v) => cborBroker.encode(v), decode: (b) => cborBrokerDec.decode(b) },
  { name: 'cbor-x plain object (records)', events: plainEvents, encode: (v) => cborRecords.encode(v), decode: (b) => cborRecords.decode(b) },
];

console.log(`conn.log event (§8.3 type 2) as a Zeek event; node ${process.version}; cbor-x native acceleration: ${isNativeAccelerationEnabled}`);
for (const c of codecs) {
  const bytes = c.encode(c.events[0]);
  console.log(`  ${c.name.padEnd(32)} ${String(bytes.length).padStart(4)} bytes per event`);
}

const encodeRows: Measurement[] = [];
const decodeRows: Measurement[] = [];
const roundTripRows: Measurement[] = [];
for (const c of codecs) {
  // Copies: cbor-x may return views of a buffer it reuses.
  const encoded = c.events.map((e) => Uint8Array.from(c.encode(e)));
  let i = 0;
  encodeRows.push(measure(c.name, () => void c.encode(c.events[i++ & (POOL - 1)]), opts));
  decodeRows.push(measure(c.name, () => void c.decode(encoded[i++ & (POOL - 1)]), opts));
  roundTripRows.push(measure(c.name, () => void c.decode(c.encode(c.events[i++ & (POOL - 1)])), opts));
}
printTable('encode + decode (events/s)', roundTripRows, BASELINE);
printTable('encode only (events/s)', encodeRows, BASELINE);
printTable('decode only (events/s)', decodeRows, BASELINE);

const binary = roundTripRows[1].opsPerSec / roundTripRows[0].opsPerSec;
console.log(`\ngoal: broker binary encode+decode at least as fast as the baseline: ${binary >= 1 ? 'met' : 'NOT met'} (${binary.toFixed(2)}x)`);
