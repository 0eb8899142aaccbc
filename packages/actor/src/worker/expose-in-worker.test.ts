import { exposeInWorker } from './expose-in-worker';

describe('exposeInWorker', () => {
  test('refuses to run outside a worker thread (its use inside one is covered by worker-object tests)', () => {
    expect(() => exposeInWorker({})).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });
});
