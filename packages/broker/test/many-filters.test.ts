import { count, Endpoint } from '@broker-ts/broker';

describe('a peer subscribed to 100,000 topics', () => {
  let a: Endpoint;
  let b: Endpoint;
  beforeEach(() => {
    a = new Endpoint({ name: 'a' });
    b = new Endpoint({ name: 'b' });
  });
  afterEach(async () => {
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  test('gets exactly the publications its topics cover, in order', async () => {
    const topics = Array.from({ length: 100_000 }, (_, i) => `/many/${i}/`);
    const sub = b.makeSubscriber(topics);
    const port = await b.listen();
    expect(await a.peer('127.0.0.1', port)).toBe(true);
    while ((await a.peerSubscriptions()).length < topics.length) await new Promise((r) => setTimeout(r, 10));
    expect((await a.peerSubscriptions()).slice(0, 3)).toEqual(['/many/0/', '/many/1/', '/many/10/']);
    // Covered: any topic under one of the prefixes. Not covered: a stem of one, a sibling.
    const published: string[] = [];
    for (let i = 0; i < 200; i++) {
      const covered = `/many/${(i * 7919) % 100_000}/x/${i}`;
      a.publish(covered, count(i));
      published.push(covered);
      a.publish(`/many/${i}`, count(i));
      a.publish(`/many/${100_000 + i}/`, count(i));
    }
    a.publish('/many/0/last', 'end');
    for (let i = 0; i < published.length; i++) {
      const [topic, value] = await sub.get();
      expect([topic, value]).toEqual([published[i], count(i)]);
    }
    expect(await sub.get()).toEqual(['/many/0/last', 'end']);
  });
});
