/**
 * The proxy role. In a Zeek cluster, proxies take work off the manager: workers spread
 * state and computations over them. Here each worker sends its proxy a summary per
 * second (connections and bytes per service), and the proxy keeps the running totals.
 */
import { type Data } from '@broker-ts/broker';
import { EVENTS, numberArg, stringArg } from './events';
import type { Member } from './member';

/** A running proxy. */
export class Proxy {
  /** Summaries received. */
  private summaries = 0;
  /** Connections and bytes per service, over the whole run. */
  private readonly totals = new Map<string, { conns: number; bytes: number }>();

  /**
   * Starts handling summaries.
   * @param member - the node's membership
   */
  constructor(member: Member) {
    member.on(EVENTS.serviceSummary, (args) => this.add(args[1]));
  }

  private add(rows: Data | undefined): void {
    if (!Array.isArray(rows)) return;
    this.summaries++;
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const service = stringArg(row[0]);
      const t = this.totals.get(service) ?? { conns: 0, bytes: 0 };
      t.conns += numberArg(row[1]);
      t.bytes += numberArg(row[2]);
      this.totals.set(service, t);
    }
  }

  /** The figures this proxy reports: summaries received, connections and bytes summed. */
  figures(): Record<string, number> {
    let conns = 0;
    let bytes = 0;
    for (const t of this.totals.values()) {
      conns += t.conns;
      bytes += t.bytes;
    }
    return { received: this.summaries, conns, bytes };
  }
}
