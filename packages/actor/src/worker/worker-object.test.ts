import * as path from 'node:path';
import pino from 'pino';
import { ActorSystem } from '../actor-system';
import { openWorkerObject, wrapWorker } from './worker-object';
import type { calculator, makeGreeter } from '../../test/fixtures/worker/worker-objects';

const OBJECTS = path.join(__dirname, '../../test/fixtures/worker/worker-objects.ts');
const SCRIPT = path.join(__dirname, '../../test/fixtures/worker/exposed-script.ts');

describe('objects in worker threads through comlink', () => {
  let system: ActorSystem;
  beforeEach(() => {
    system = new ActorSystem({ name: 'main', logger: pino({ level: 'silent' }) });
  });
  afterEach(() => system.shutdown());

  test('openWorkerObject drives an exported object from the main thread', async () => {
    const calc = openWorkerObject<typeof calculator>(system, OBJECTS, { exportName: 'calculator' });
    await expect(calc.remote.add(2, 3)).resolves.toBe(5);
    await expect(calc.remote.later('x')).resolves.toBe('later x');
    await expect(calc.remote.fail()).rejects.toThrow('calculator failed');
    await calc.close();
  });

  test('a factory export is called in the worker with the given args', async () => {
    const greeter = openWorkerObject<ReturnType<typeof makeGreeter>>(system, OBJECTS, { exportName: 'makeGreeter', args: ['worker'] });
    await expect(greeter.remote.greet('main')).resolves.toBe('hello main from worker');
  });

  test('wrapWorker drives an object a worker script exposes itself with exposeInWorker', async () => {
    const counter = wrapWorker<{ increment(by: number): number }>(system, SCRIPT);
    await counter.remote.increment(2);
    await expect(counter.remote.increment(5)).resolves.toBe(7);
  });

  test('a call in flight when the worker crashes rejects with worker_failed instead of hanging', async () => {
    const calc = openWorkerObject<typeof calculator>(system, OBJECTS, { exportName: 'calculator' });
    await calc.remote.add(1, 1);
    await expect(calc.remote.hang()).rejects.toMatchObject({ code: 'worker_failed' });
    await expect(calc.remote.add(1, 1)).rejects.toMatchObject({ code: 'worker_failed' });
  });

  test('shutdown closes worker objects and their threads', async () => {
    const calc = openWorkerObject<typeof calculator>(system, OBJECTS, { exportName: 'calculator' });
    await calc.remote.add(1, 1);
    await system.shutdown();
    await expect(calc.remote.add(1, 1)).rejects.toMatchObject({ code: 'worker_failed' });
    await calc.close();
  });
});
