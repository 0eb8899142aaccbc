import { table } from '@broker-ts/data';
import { optionEntries } from './backend-options';
import { brokerErrorOf } from './__fixtures__/error-code-of';

describe('optionEntries', () => {
  it('reads plain objects, skipping undefined values', () => {
    expect(optionEntries({ path: 'p', x: undefined, n: 1 })).toEqual([
      ['path', 'p'],
      ['n', 1],
    ]);
  });

  it('reads Maps and Broker tables with string keys', () => {
    expect(optionEntries(new Map([['path', 'p']]))).toEqual([['path', 'p']]);
    expect(optionEntries(table([['path', 'p']]))).toEqual([['path', 'p']]);
  });

  it('treats undefined and null as no options', () => {
    expect(optionEntries(undefined)).toEqual([]);
    expect(optionEntries(null)).toEqual([]);
  });

  it.each([['a string', 'path'], ['a number', 4], ['a map with a non-string name', new Map([[1, 'p']])], ['an array of non-pairs', [['a', 1, 2]]]])(
    'refuses %s with backend_failure',
    (_name, options) => {
      const error = brokerErrorOf(() => optionEntries(options as never));
      expect(error.code).toBe('backend_failure');
    },
  );
});
