import { entityFromKey, entityKey, isEntityId, sameEntity } from './entity-id';

describe('EntityId', () => {
  test('its key reads back, even when the endpoint id contains #', () => {
    const id = { endpoint: 'A#B', object: 42 };
    expect(entityKey(id)).toBe('A#B#42');
    expect(entityFromKey(entityKey(id))).toEqual(id);
  });

  test('a text that is not a key is refused with invalid_data', () => {
    for (const bad of ['nohash', 'x#', 'x#-1', 'x#1.5']) expect(() => entityFromKey(bad)).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });

  test('entities compare by endpoint and object; null equals only null', () => {
    expect(sameEntity({ endpoint: 'a', object: 1 }, { endpoint: 'a', object: 1 })).toBe(true);
    expect(sameEntity({ endpoint: 'a', object: 1 }, { endpoint: 'a', object: 2 })).toBe(false);
    expect(sameEntity(null, null)).toBe(true);
    expect(sameEntity(null, { endpoint: 'a', object: 1 })).toBe(false);
  });

  test('isEntityId accepts only a string endpoint and a non-negative safe integer object', () => {
    expect(isEntityId({ endpoint: 'a', object: 0 })).toBe(true);
    for (const bad of [null, 'a#1', { endpoint: 1, object: 1 }, { endpoint: 'a', object: -1 }, { endpoint: 'a', object: 2 ** 53 }]) expect(isEntityId(bad)).toBe(false);
  });
});
