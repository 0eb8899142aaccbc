/**
 * The entry point of every worker thread started by the runtime. In `node` mode it hosts
 * an actor system linked to its parent; in `object` mode it exposes one object through
 * comlink. Not imported by anything: started with `new Worker(thisFile)`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { ActorError } from '../actor-error';
import { ActorSystem } from '../actor-system';
import { exposeInWorker } from './expose-in-worker';
import { loadExport } from './load-export';
import { MessagePortLink } from './message-port-link';
import { SiblingChannels } from './sibling-channels';
import type { SpawnModuleRequest, WorkerData, WorkerNodeData } from './worker-data';

function startNode(data: WorkerNodeData): void {
  const port = parentPort!;
  const system = new ActorSystem({ name: data.name, nodeId: data.nodeId, logger: pino({ name: 'broker-ts', level: data.logLevel }, pino.destination({ dest: 2, sync: true })) });
  let siblings: SiblingChannels | undefined;
  const link = new MessagePortLink(system, port, data.parentNode, { control: (d) => siblings?.control(d) });
  siblings = new SiblingChannels(system, link);
  system.router.linkUp(link, { default: true });
  system.registerNodeService('node-links', () => system.router.nodes);
  system.registerNodeService('spawn', (msg) => {
    const req = msg as SpawnModuleRequest;
    const target = loadExport(req.modulePath, req.exportName);
    if (typeof target !== 'function') throw new ActorError('spawn_failed', `export '${req.exportName ?? 'default'}' of ${req.modulePath} is not a behavior function or Actor class`);
    const ref = system.spawn(target as never, { args: Array.isArray(req.args) ? req.args : [], name: req.name });
    if (req.dedicated === true) {
      system.spawn((ctx) => {
        ctx.monitor(ref);
        return { down: () => void system.shutdown() };
      });
    }
    return ref;
  });
  system.registerNodeService('shutdown', () => {
    setImmediate(() => void system.shutdown());
    return true;
  });
}

async function startObject(data: Extract<WorkerData, { mode: 'object' }>): Promise<void> {
  const exported = loadExport(data.modulePath, data.exportName);
  const isFactory = typeof exported === 'function' && !Function.prototype.toString.call(exported).startsWith('class');
  const obj = isFactory ? await (exported as (...a: unknown[]) => unknown)(...data.args) : exported;
  exposeInWorker(obj as object);
}

const data = workerData as WorkerData;
if (data.mode === 'node') startNode(data);
else void startObject(data);
