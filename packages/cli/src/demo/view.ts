/**
 * The live terminal view. On a terminal it redraws a small block in place a few times a
 * second: a progress bar, then one line per node (events per second, totals, peers,
 * store sizes, publisher buffer). Anywhere else (a pipe, a CI log) it prints one plain
 * line every few seconds and one line per notable moment, never a flood.
 */
import type { NodeState } from './manager';
import { STORE_NAMES } from './topics';

/** What the view shows at one moment. */
export interface ViewFrame {
  /** Time since the workers started, and the planned duration (ms). */
  elapsedMs: number;
  durationMs: number;
  /** What is happening, in a few words. */
  phase: string;
  /** The manager: events received in all, its peers, its masters' sizes. */
  manager: { received: number; peers: number; stores: Map<string, number> };
  /** The other nodes, in layout order; `undefined` for a node that has not said hello yet. */
  nodes: Array<{ name: string; state: NodeState | undefined }>;
}

/** The writable the view draws on (a TTY or not). */
export interface ViewOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** How often the plain (non-TTY) view prints its line. */
const PLAIN_EVERY_MS = 5_000;

/** A node whose last report is older than this is shown as silent. */
const SILENT_AFTER_MS = 2_000;

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The live view. */
export class LiveView {
  /** Lines drawn last time (TTY), to move the cursor back over them. */
  private drawn = 0;
  /** The last notable moments (TTY: shown under the bar). */
  private readonly notes: string[] = [];
  /** For the manager's rate: the previous frame's time and count. */
  private last: { at: number; received: number } | undefined;
  private managerRate = 0;
  private lastPlainAt = -Infinity;

  /**
   * @param out - where to draw (`process.stdout`)
   */
  constructor(private readonly out: ViewOutput) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  /**
   * Shows a notable moment (a kill, a restart, the cluster healed).
   * @param text - one line
   */
  note(text: string): void {
    if (!this.tty) {
      this.out.write(`${text}\n`);
      return;
    }
    this.notes.push(text);
    if (this.notes.length > 4) this.notes.shift();
  }

  /** Draws a frame (TTY: in place; otherwise a plain line every few seconds). */
  update(frame: ViewFrame): void {
    const now = performance.now();
    if (this.last !== undefined && now > this.last.at) this.managerRate = ((frame.manager.received - this.last.received) * 1000) / (now - this.last.at);
    this.last = { at: now, received: frame.manager.received };
    if (this.tty) this.redraw(this.render(frame, now));
    else if (now - this.lastPlainAt >= PLAIN_EVERY_MS) {
      this.lastPlainAt = now;
      this.out.write(`${this.plainLine(frame)}\n`);
    }
  }

  /** Leaves the last frame on screen and moves below it. */
  stop(): void {
    this.drawn = 0;
  }

  private redraw(lines: string[]): void {
    let text = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    this.out.write(text);
    this.drawn = lines.length;
  }

  private progress(frame: ViewFrame): string {
    const width = 30;
    const done = Math.min(1, frame.elapsedMs / frame.durationMs);
    const filled = Math.round(done * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frame.elapsedMs / 1000).toFixed(1)} / ${(frame.durationMs / 1000).toFixed(0)} s`;
  }

  private render(frame: ViewFrame, now: number): string[] {
    const header = ['node', 'run', 'where', 'pid', 'ev/s', 'events', 'peers', ...STORE_NAMES, 'buffer'];
    const rows: string[][] = [header];
    const m = frame.manager;
    rows.push(['manager', '1', 'process', String(process.pid), fmt.format(this.managerRate), fmt.format(m.received), String(m.peers), ...STORE_NAMES.map((s) => fmt.format(m.stores.get(s) ?? 0)), '-']);
    for (const { name, state } of frame.nodes) {
      if (state === undefined) {
        rows.push([name, '-', '', '', '', '', '', ...STORE_NAMES.map(() => ''), 'starting']);
        continue;
      }
      const f = state.figures;
      const silent = !state.up ? 'killed' : now - state.figuresAt > SILENT_AFTER_MS ? 'silent' : undefined;
      const total = state.role === 'worker' ? f.sent : f.received;
      rows.push([
        name, String(state.incarnation), state.kind, String(state.pid), silent ?? fmt.format(state.rate), fmt.format(total ?? 0), String(f.peers ?? 0),
        ...STORE_NAMES.map((s) => fmt.format(f[`store:${s}`] ?? 0)), state.role === 'worker' ? `${f.buffered ?? 0}/${f.capacity ?? 0}` : '-',
      ]);
    }
    const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const table = rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
    return [`broker-ts cluster  ${this.progress(frame)}  ${frame.phase}`, '', ...table, '', ...this.notes];
  }

  private plainLine(frame: ViewFrame): string {
    const workers = frame.nodes.filter((n) => n.state?.role === 'worker' && n.state.up).length;
    const stores = STORE_NAMES.map((s) => `${s} ${fmt.format(frame.manager.stores.get(s) ?? 0)}`).join(', ');
    return `[${(frame.elapsedMs / 1000).toFixed(0).padStart(3)} s] ${frame.phase}: manager got ${fmt.format(frame.manager.received)} events (${fmt.format(this.managerRate)}/s), ${frame.manager.peers} peers, ${workers} workers up; ${stores}`;
  }
}
