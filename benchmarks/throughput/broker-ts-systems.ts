/**
 * The broker-ts rows of the throughput comparison, as systems of the baselines'
 * measurement library: two processes over TCP, main thread → worker thread, and two
 * endpoints in one thread. Each watches its sending process's RSS over the counted window.
 */
import { join } from 'node:path';

import { BenchChild } from '../baselines/lib/bench-child';
import type { RunningSystem, ThroughputSystem } from '../baselines/lib/measure-throughput';
import { startPair } from '../baselines/lib/start-pair';
import { LAZY_FLAG } from './conn-event-counter';
import { TLS_FLAG } from './peering-transport';
import { type RssFigures, RssTracker } from './rss-tracker';

/** A system whose runs also report the sender's memory. */
export interface TrackedSystem extends ThroughputSystem {
  /** Sender RSS of each completed run, in order. */
  readonly rss: RssFigures[];
  /** What the sender RSS figure covers. */
  readonly rssOf: string;
}

function script(name: string): string {
  return join(__dirname, name);
}

/** Wraps a running system so that its two measurement samples mark the RSS window. */
function tracked(running: RunningSystem, senderPid: number, rss: RssFigures[]): RunningSystem {
  const tracker = new RssTracker(senderPid);
  return {
    receiver: {
      sample: async () => {
        const s = await running.receiver.sample();
        tracker.mark();
        return s;
      },
    },
    others: running.others,
    stop: async () => {
      tracker.stop();
      const figures = tracker.result();
      if (figures !== undefined) rss.push(figures);
      await running.stop();
    },
  };
}

/** A system of one process (receiver and sender inside), measured as a whole. */
function singleProcess(name: string, file: string, args: string[], rssOf: string, verbose: boolean): TrackedSystem {
  const rss: RssFigures[] = [];
  return {
    name,
    rss,
    rssOf,
    async start() {
      const host = BenchChild.spawnNode(file, script(file), args, verbose);
      try {
        await host.ready();
      } catch (error) {
        await host.kill('SIGKILL');
        throw error;
      }
      return tracked({ receiver: host, others: [], stop: () => host.stop() }, host.pid, rss);
    },
  };
}

/** The arguments that select Broker's default TLS instead of plain TCP. */
function transportArgs(tls: boolean): string[] {
  return tls ? [TLS_FLAG] : [];
}

/**
 * broker-ts endpoint → endpoint, two processes over loopback TCP (plain, or Broker's
 * default TLS); with `lazy`, the receiver counts undecoded messages (`subscribeLazy`).
 */
export function brokerTsTcp(verbose = false, tls = false, lazy = false): TrackedSystem {
  const rss: RssFigures[] = [];
  return {
    name: `${tls ? 'broker-ts TLS, 2 processes' : 'broker-ts TCP, 2 processes'}${lazy ? ', lazy receiver' : ''}`,
    rss,
    rssOf: 'sender process',
    async start() {
      let senderPid = 0;
      const running = await startPair(
        () => BenchChild.spawnNode('bts-receiver', script('bts-receiver.ts'), [...transportArgs(tls), ...(lazy ? [LAZY_FLAG] : [])], verbose),
        (port) => {
          const sender = BenchChild.spawnNode('bts-sender', script('bts-sender.ts'), [String(port), ...transportArgs(tls)], verbose);
          senderPid = sender.pid;
          return sender;
        },
      );
      return tracked(running, senderPid, rss);
    },
  };
}

/**
 * broker-ts main-thread endpoint → worker-thread endpoint, one process: peered over the
 * thread's MessagePort (`spawnWorkerEndpoint`), or over loopback TCP.
 */
export function brokerTsWorker(via: 'port' | 'tcp', verbose = false): TrackedSystem {
  const name = via === 'port' ? 'broker-ts main → worker thread (MessagePort)' : 'broker-ts main → worker thread (TCP)';
  return singleProcess(name, 'bts-worker-host.ts', [via], 'whole process (both threads)', verbose);
}

/** broker-ts endpoint → endpoint in one thread (plain TCP, or Broker's default TLS). */
export function brokerTsInThread(verbose = false, tls = false): TrackedSystem {
  const name = tls ? 'broker-ts 2 endpoints, 1 thread (TLS)' : 'broker-ts 2 endpoints, 1 thread (TCP)';
  return singleProcess(name, 'bts-in-thread.ts', transportArgs(tls), 'whole process (both endpoints)', verbose);
}
