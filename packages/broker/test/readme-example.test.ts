import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, Endpoint } from '@broker-ts/broker';

// The README's example, as written there (only the file path differs).
test('the README example runs as documented', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'broker-ts-readme-'));
  const a = new Endpoint();
  const b = new Endpoint();
  try {
    const port = await b.listen();
    const sub = b.makeSubscriber('/demo');
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    // b subscribed before peering, so a knows b's filter once peer() resolves.
    a.publish('/demo/greeting', ['hello', count(1)]);
    const [topic, value] = await sub.get();
    expect(topic).toBe('/demo/greeting');
    expect(value).toEqual(['hello', count(1)]);

    const master = await a.attachMaster('users', 'sqlite', { path: join(dir, 'users.sqlite') });
    const clone = await b.attachClone('users');
    await master.put('alice', count(42), { expiry: 60_000 });
    expect(await clone.awaitIdle()).toBe(true);
    expect(await clone.get('alice')).toEqual(count(42));
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
