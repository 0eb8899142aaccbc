import * as data from '@broker-ts/data';
test('the package entry loads', () => { expect(typeof data).toBe('object'); });
