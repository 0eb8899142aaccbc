import { set, table } from './containers';
import { count } from './count';
import type { Data } from './data';
import { formatData } from './format-data';
import { MAX_NESTING_DEPTH } from './max-nesting-depth';

test('formatData prints exact Broker data in Broker text form, containers included', () => {
  expect(formatData([count(1), 2n, 1.5, 'a', null, true, set([2n, 1n]), table({ k: [false] })])).toBe('(1, 2, 1.500000, a, nil, T, {1, 2}, {k -> (F)})');
});

test('formatData takes MAX_NESTING_DEPTH levels of nesting and refuses one more', () => {
  const nest = (levels: number): Data => {
    let v: Data = 'x';
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  };
  expect(formatData(nest(MAX_NESTING_DEPTH))).toBe(`${'('.repeat(MAX_NESTING_DEPTH)}x${')'.repeat(MAX_NESTING_DEPTH)}`);
  expect(() => formatData(nest(MAX_NESTING_DEPTH + 1))).toThrow(expect.objectContaining({ code: 'serialization_failed' }));
});
