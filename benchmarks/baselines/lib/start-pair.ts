/**
 * Starts the common two-process topology: a receiver that announces `ready <port>`,
 * then a sender given that port; stops both together.
 */
import { BenchChild } from './bench-child';
import { RunningSystem } from './measure-throughput';

/**
 * Starts the receiver, waits for its port, starts the sender, waits until it is ready.
 * If either fails to come up, both are killed and the error is rethrown.
 */
export async function startPair(receiverOf: () => BenchChild, senderOf: (port: number) => BenchChild): Promise<RunningSystem> {
  const receiver = receiverOf();
  let sender: BenchChild | undefined;
  try {
    const port = await receiver.ready();
    if (port === undefined) throw new Error(`${receiver.name} announced no port`);
    sender = senderOf(port);
    await sender.ready();
  } catch (error) {
    await Promise.all([sender?.kill('SIGKILL'), receiver.kill('SIGKILL')]);
    throw error;
  }
  const s = sender;
  return { receiver, others: [s], stop: async () => void (await Promise.all([s.stop(), receiver.stop()])) };
}
