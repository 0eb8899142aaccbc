/**
 * Encode + decode rate of the conn.log event of Broker's throughput benchmark (Broker
 * 1.4's tests/benchmark/broker-benchmark.cc, type 2, wrapped as a Zeek event) through Broker's binary format and through cbor-x
 * with the Broker extension, beside cbor-x on the equivalent plain JS object (named
 * fields, the baseline), all in one run; and the work one publication asks for (a fresh
 * event, the facade check, encode, decode) beside the codec alone.
 *
 * Run: ./node_modules/.bin/tsx --conditions=@broker-ts/source benchmarks/data-codec.ts
 * Optional: --round-ms=N --rounds=N
 */
// First: run in a plain CommonJS process even when started by the tsx command line.
import './lib/plain-node';
import { Decoder, Encoder, isNativeAccelerationEnabled } from 'cbor-x';
import { cborEncoderOptions, decodeBinary, encodeBinary, encodeExactBinary, installCborExtensions, toData } from '@broker-ts/data';
import { makeConnEvent, makeConnEventPlain } from './lib/conn-event';
import { performance } from 'node:perf_hooks';
import { type Measurement, printTable, summarize } from './lib/harness';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const ROUND_MS = option('round-ms', 500);
const ROUNDS = option('rounds', 5);
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

console.log(`conn.log event (broker-benchmark type 2) as a Zeek event; node ${process.version}; cbor-x native acceleration: ${isNativeAccelerationEnabled}`);
for (const c of codecs) {
  const bytes = c.encode(c.events[0]);
  console.log(`  ${c.name.padEnd(32)} ${String(bytes.length).padStart(4)} bytes per event`);
}

interface Case {
  name: string;
  body: () => void;
}

/**
 * Measures the cases round-robin (one round of each, then the next round), so that load
 * from other processes on this shared machine hits every case alike, and reports both
 * wall-clock rates and rates per CPU-second of this process (less sensitive to that load).
 */
function measureInterleaved(cases: Case[]): { wall: Measurement[]; cpu: Measurement[] } {
  const wall = cases.map((): number[] => []);
  const cpu = cases.map((): number[] => []);
  for (const c of cases) runFor(c.body, 300); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    cases.forEach((c, k) => {
      const before = process.cpuUsage();
      const { calls, ms } = runFor(c.body, ROUND_MS);
      const used = process.cpuUsage(before);
      wall[k].push(calls / (ms / 1000));
      cpu[k].push(calls / ((used.user + used.system) / 1e6));
    });
  }
  const summarizeAll = (rates: number[][]): Measurement[] => rates.map((xs, k) => summarize(cases[k].name, xs));
  return { wall: summarizeAll(wall), cpu: summarizeAll(cpu) };
}

/** Calls `body` in batches of 64 for about `budgetMs`; returns the calls and the time taken. */
function runFor(body: () => void, budgetMs: number): { calls: number; ms: number } {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < budgetMs) {
    for (let i = 0; i < 64; i++) body();
    calls += 64;
    now = performance.now();
  }
  return { calls, ms: now - start };
}

const encoded = codecs.map((c) => c.events.map((e) => Uint8Array.from(c.encode(e)))); // copies: cbor-x may reuse its buffer
let n = 0;
const results = {
  'encode + decode': measureInterleaved(codecs.map((c) => ({ name: c.name, body: () => void c.decode(c.encode(c.events[n++ & (POOL - 1)])) }))),
  'encode only': measureInterleaved(codecs.map((c) => ({ name: c.name, body: () => void c.encode(c.events[n++ & (POOL - 1)]) }))),
  'decode only': measureInterleaved(codecs.map((c, k) => ({ name: c.name, body: () => void c.decode(encoded[k][n++ & (POOL - 1)]) }))),
};
for (const [what, r] of Object.entries(results)) {
  printTable(`${what}: events per second (wall clock)`, r.wall, BASELINE);
  printTable(`${what}: events per CPU-second of this process`, r.cpu, BASELINE);
}

// What the facade adds to each publication: toData checks the value (nesting depth,
// cycles, forged Broker objects) before it is accepted, beside the encoding it guards.
const ENCODE = 'broker binary (encodeBinary)';
const check = measureInterleaved([
  { name: ENCODE, body: () => void encodeBinary(brokerEvents[n++ & (POOL - 1)] as never) },
  { name: 'toData (the facade check)', body: () => void toData(brokerEvents[n++ & (POOL - 1)] as never) },
]);
printTable('the facade check beside encoding: events per CPU-second of this process', check.cpu, ENCODE);

// What a publication costs the publishing endpoint: the facade's check and the encoding,
// as two walks (toData, then encodeBinary) and as the one walk the endpoint makes
// (encodeExactBinary, which checks while it encodes).
const TWO_WALKS = 'toData + encodeBinary';
const publishCheck = measureInterleaved([
  { name: TWO_WALKS, body: () => void encodeBinary(toData(brokerEvents[n++ & (POOL - 1)] as never)) },
  { name: 'encodeExactBinary (one walk)', body: () => void encodeExactBinary(brokerEvents[n++ & (POOL - 1)] as never) },
]);
printTable('the check and the encoding of a publication: events per CPU-second of this process', publishCheck.cpu, TWO_WALKS);

// The work a publication and its delivery ask for, beside the codec alone: what the TCP
// throughput rows do per event besides moving bytes (build a fresh event, the facade's
// check, encode, decode), in one thread. The rows of `throughput.ts` divide by the first.
let fresh = 0;
const CODEC_ONLY = 'encode + decode (pooled event)';
const publication = measureInterleaved([
  { name: CODEC_ONLY, body: () => void decodeBinary(encodeBinary(brokerEvents[n++ & (POOL - 1)] as never)) },
  { name: 'build + toData + encode + decode', body: () => void decodeBinary(encodeBinary(toData(makeConnEvent(fresh++)))) },
]);
printTable('the work of one publication beside the codec alone: events per CPU-second of this process', publication.cpu, CODEC_ONLY);

const roundTripRows = results['encode + decode'].cpu;
const binary = roundTripRows[1].opsPerSec / roundTripRows[0].opsPerSec;
console.log(`\ngoal: broker binary encode+decode at least as fast as the baseline (per CPU-second): ${binary >= 1 ? 'met' : 'NOT met'} (${binary.toFixed(2)}x)`);
