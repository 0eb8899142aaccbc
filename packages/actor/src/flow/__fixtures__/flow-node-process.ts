/**
 * A node in a child process for the cross-process flow tests: an actor system listening
 * on a free port with a `consumers` actor that spawns counting consumers on request.
 * Prints `ready <port> <nodeId>` once listening; exits when its stdin closes (so it never
 * outlives the test process) or when killed.
 */
import pino from 'pino';
import type { ActorRef } from '../../actor-ref';
import { ActorSystem } from '../../actor-system';
import { listenTcp } from '../../net/tcp-network';
import { countingConsumer, type CountingConsumerOptions } from './counting-consumer';

async function main(): Promise<void> {
  const system = new ActorSystem({ name: 'flow-child', logger: pino({ level: 'warn' }, pino.destination(2)) });
  system.spawn(
    () => ({
      spawn: (m: { type: 'spawn'; report: ActorRef; options: CountingConsumerOptions }) => system.spawn(countingConsumer, { args: [m.report, m.options] }),
    }),
    { name: 'consumers' },
  );
  const port = await listenTcp(system, { host: '127.0.0.1', port: 0 }, { trusted: true });
  process.stdout.write(`ready ${port} ${system.nodeId}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void system.shutdown().then(() => process.exit(0));
  });
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
