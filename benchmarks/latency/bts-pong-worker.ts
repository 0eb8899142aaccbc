/**
 * broker-ts latency, echoing worker thread: started by `Endpoint.spawnWorkerEndpoint`
 * in the ping process, peers with it over the thread's MessagePort and answers every
 * ping (see `pong-endpoint.ts`).
 */
import { startPongEndpoint } from './pong-endpoint';

async function main(): Promise<void> {
  const { ep } = startPongEndpoint('bts-pong-worker');
  if (!(await ep.peerParent())) throw new Error('peerParent failed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
