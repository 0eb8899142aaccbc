/**
 * Watches a process's resident memory during a throughput run, to show that a sender
 * paced by backpressure does not grow: sampled from `/proc/<pid>/statm` every 250 ms;
 * the counted window is marked by the measurement's own two samples.
 */
import { readFileSync } from 'node:fs';

/** Page size of `/proc/<pid>/statm` (4 KiB on the Linux machines this runs on). */
const PAGE_BYTES = 4096;

/** Sampling period. */
const PERIOD_MS = 250;

/** Resident memory over one run, in MiB. */
export interface RssFigures {
  /** At the start of the counted window (after the warm-up). */
  startMiB: number;
  /** At its end. */
  endMiB: number;
  /** Highest sample within the window. */
  maxMiB: number;
}

/** Resident set size of process `pid`, in bytes. */
export function procRssBytes(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/statm`, 'utf8').trim().split(/\s+/);
  return Number(fields[1]) * PAGE_BYTES;
}

/** Samples one process's RSS until stopped. */
export class RssTracker {
  /** Samples in bytes since the window began (bounded by the run's length: 4 a second). */
  private window: number[] | undefined;
  private readonly timer: NodeJS.Timeout;
  private figures: RssFigures | undefined;

  /** @param pid - the process to watch */
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.window?.push(this.read()), PERIOD_MS);
  }

  /** Marks the start, then the end, of the counted window (call twice). */
  mark(): void {
    const now = this.read();
    if (this.window === undefined) this.window = [now];
    else if (this.figures === undefined) {
      this.window.push(now);
      const mib = (b: number) => b / 2 ** 20;
      this.figures = { startMiB: mib(this.window[0]), endMiB: mib(now), maxMiB: mib(Math.max(...this.window)) };
      clearInterval(this.timer);
    }
  }

  /** The figures once the window has ended. */
  result(): RssFigures | undefined {
    return this.figures;
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  private read(): number {
    try {
      return procRssBytes(this.pid);
    } catch {
      return 0;
    }
  }
}
