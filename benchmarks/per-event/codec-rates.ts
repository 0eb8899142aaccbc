/**
 * The yardsticks of `per-event.ts`, measured in a process of their own started as the
 * rows' processes are (`BenchChild.spawnNode`), so that both sides of the ratio run under
 * the same loader and flags: prints `codec <rate> publication <rate>`, events per
 * CPU-second of this process. The codec: encode + decode of pooled conn events in
 * Broker's binary format; one publication: a fresh event built, checked while encoded
 * (as the publish calls do) and decoded.
 * Usage: codec-rates.ts <milliseconds per case>
 */
import { performance } from 'node:perf_hooks';

import { decodeBinary, encodeBinary, encodeExactBinary } from '@broker-ts/data';

import { makeConnEvent } from '../lib/conn-event';

/** Distinct pooled events, as in `data-codec.ts`. */
const POOL = 1024;

/** Calls `body` for about `ms` milliseconds; returns calls per CPU-second of this process. */
function ratePerCpuSecond(body: () => void, ms: number): number {
  let calls = 0;
  const before = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 64; i++) body();
    calls += 64;
  }
  const used = process.cpuUsage(before);
  return calls / ((used.user + used.system) / 1e6);
}

const ms = Number(process.argv[2] ?? 1000);
const pooled = Array.from({ length: POOL }, (_, i) => makeConnEvent(i));
let n = 0;
let fresh = 0;
const codecOnly = (): void => void decodeBinary(encodeBinary(pooled[n++ & (POOL - 1)]));
const publication = (): void => void decodeBinary(encodeExactBinary(makeConnEvent(fresh++))!);
ratePerCpuSecond(codecOnly, 300);
ratePerCpuSecond(publication, 300);
console.log(`codec ${ratePerCpuSecond(codecOnly, ms)} publication ${ratePerCpuSecond(publication, ms)}`);
