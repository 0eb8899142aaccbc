/**
 * Keys that are equal in Broker's order but encoded apart (`0.0` and `-0.0`, alone or
 * inside a container) are two keys of a store in every backend; a clone across a real
 * connection gets each with its own value. (NaNs of other bits are kept apart by the
 * backends, see the backend conformance tests, but a NaN's bits do not survive every path
 * through JS, so they are not used here.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBinary, Endpoint, type BackendKind, type Data } from '@broker-ts/broker';
import { until } from './helpers';

const hex = (x: Data): string => Buffer.from(encodeBinary(x)).toString('hex');

const KEYS: Data[] = [0.0, -0.0, Number.NaN, [1n, 0.0], [1n, -0.0], 'other'];

describe.each(['memory', 'sqlite'] as BackendKind[])('keys equal in Broker order but encoded apart, %s master', (kind) => {
  let a: Endpoint;
  let b: Endpoint;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'broker-ts-equal-keys-'));
    a = new Endpoint({ name: 'master-side' });
    b = new Endpoint({ name: 'clone-side' });
  });
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a clone that attaches later holds each key with its own value, as the master does', async () => {
    const master = await a.attachMaster('eq', kind, kind === 'memory' ? {} : { path: join(dir, 'eq.sqlite') });
    for (const [i, k] of KEYS.entries()) await master.put(k, `value ${i}`);
    const port = await a.listen();
    expect(await b.peer('127.0.0.1', port)).toBe(true);
    const clone = await b.attachClone('eq');
    expect(await clone.awaitIdle({ timeout: 20_000 })).toBe(true);
    for (const [i, k] of KEYS.entries()) {
      expect(await master.get(k)).toBe(`value ${i}`);
      expect(await clone.get(k)).toBe(`value ${i}`);
    }
    expect([...(await clone.keys())].map(hex)).toEqual([...(await master.keys())].map(hex));
    // The master's erase of -0.0 reaches the clone and leaves 0.0.
    await master.erase(-0.0);
    expect(await master.awaitIdle({ timeout: 20_000 })).toBe(true);
    await until(async () => !(await clone.exists(-0.0)), 'the erase of -0.0 on the clone');
    expect(await clone.get(0.0)).toBe('value 0');
  });
});
