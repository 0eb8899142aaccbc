/**
 * The package's public surface is an allow-list: what an application needs is exported
 * from `@broker-ts/broker`, the store backends from `@broker-ts/broker/testing`, and the
 * runtime's plumbing from neither.
 */
import * as broker from '@broker-ts/broker';
import { Endpoint, ReservedTopics, Store, storeEventsTopic, topicJoin } from '@broker-ts/broker';
import * as testing from '@broker-ts/broker/testing';

describe('the @broker-ts/broker entry', () => {
  test('exports the facade, the data model and the topic helpers users need', () => {
    for (const name of ['Endpoint', 'Store', 'Subscriber', 'Publisher', 'Hub', 'StatusSubscriber', 'Status', 'BrokerError', 'errorToData', 'errorFromData', 'count', 'toString', 'encodeBinary', 'decodeJson', 'topicJoin', 'storeEventsTopic', 'ReservedTopics', 'connectWebSocket']) {
      expect(broker).toHaveProperty(name);
    }
    expect(topicJoin('/a', 'b')).toBe('/a/b');
    expect(storeEventsTopic('s')).toBe(`${ReservedTopics.storeEvents}/s`);
  });

  test('keeps the cbor plumbing, the backends and the duplicate topic helpers out', () => {
    for (const name of ['installCborExtensions', 'cborEncoderOptions', 'cborExtensions', 'BROKER_CBOR_TAGS', 'makeBackend', 'MemoryBackend', 'SqliteBackend', 'LmdbBackend', 'joinTopics', 'InternalTopics', 'masterTopic', 'cloneTopic']) {
      expect(broker).not.toHaveProperty(name);
    }
  });

  test('a Store cannot be built by hand, only attached through an endpoint', async () => {
    // @ts-expect-error the constructor is private: stores come from attachMaster and attachClone
    expect(() => new Store()).toThrow();
    const ep = new Endpoint({ name: 'surface' });
    try {
      const store = await ep.attachMaster('s', 'memory');
      expect(store).toBeInstanceOf(Store);
      expect(store.name).toBe('s');
      expect(store.kind).toBe('master');
      expect(ep.name).toBe('surface');
    } finally {
      await ep.shutdown();
    }
  });
});

describe('the @broker-ts/broker/testing entry', () => {
  test('exports the store backends for direct use', () => {
    const backend = testing.makeBackend('memory', {});
    expect(backend).toBeInstanceOf(testing.MemoryBackend);
    expect(testing.masterTopic('s')).toBe('s/<$>/data/master');
    expect(testing.cloneTopic('s')).toBe('s/<$>/data/clone');
  });
});
