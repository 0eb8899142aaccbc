import { count, set } from '@broker-ts/data';
import { makeBackend } from '../backend';
import { answerQuery } from './store-query';

describe('answerQuery', () => {
  test('answers values and errors as data, never throwing', () => {
    const b = makeBackend('memory');
    b.put('v', [10n, 20n]);
    expect(answerQuery(b, { op: 'get', key: 'v' })).toEqual({ ok: true, value: [10n, 20n] });
    expect(answerQuery(b, { op: 'exists', key: 'v' })).toEqual({ ok: true, value: true });
    expect(answerQuery(b, { op: 'getIndexFromValue', key: 'v', index: count(0) })).toEqual({ ok: true, value: 10n });
    expect(answerQuery(b, { op: 'getIndexFromValue', key: 'v', index: 'x' })).toMatchObject({ ok: false, error: { code: 'type_clash' } });
    expect(answerQuery(b, { op: 'keys' })).toEqual({ ok: true, value: set(['v']) });
    expect(answerQuery(b, { op: 'get', key: 'nope' })).toMatchObject({ ok: false, error: { code: 'no_such_key' } });
    expect(answerQuery(b, { op: 'drop' } as never)).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
    b.close();
    expect(answerQuery(b, { op: 'keys' })).toMatchObject({ ok: false, error: { code: 'backend_failure' } });
  });
});
