import { ParkedPublishers } from './parked-publishers';
import { PublishBuffer } from './publish-buffer';

function buffer(items: number): PublishBuffer {
  const b = new PublishBuffer(8);
  for (let i = 0; i < items; i++) b.push('/t', i, undefined);
  return b;
}

const port = (id: number) => ({ id, processed: () => {} });

describe('ParkedPublishers', () => {
  test('publishers go on in order; the first that must wait again stays at the head', async () => {
    const q = new ParkedPublishers();
    const a = buffer(2);
    const b = buffer(3);
    q.park(a, port(1));
    q.park(b, port(2));
    expect([a.parked, b.parked, q.length, q.buffered]).toEqual([true, true, 2, 5]);
    let done = false;
    void q.allTaken().then(() => {
      done = true;
    });
    const order: number[] = [];
    // Room for a's messages only: b keeps waiting.
    q.resume((buf, p) => {
      order.push(p.id);
      if (buf === b) return false;
      while (buf.length > 0) buf.shift();
      return true;
    });
    expect(order).toEqual([1, 2]);
    expect([a.parked, b.parked, q.length]).toEqual([false, true, 1]);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    q.resume((buf) => {
      while (buf.length > 0) buf.shift();
      return true;
    });
    expect([b.parked, q.length, q.buffered]).toEqual([false, 0, 0]);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(true);
  });

  test('with nobody parked, allTaken resolves at once', async () => {
    await expect(new ParkedPublishers().allTaken()).resolves.toBeUndefined();
  });
});
