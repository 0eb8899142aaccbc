/**
 * CPU time of another process from `/proc/<pid>/stat` (Linux): user + system time of all
 * its threads. Used for processes that cannot report `process.cpuUsage()` themselves
 * (the Broker 1.4 programs, nats-server).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 when getconf is unavailable). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * Extracts utime + stime, in clock ticks, from the text of a `/proc/<pid>/stat` file.
 * The command name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so fields are counted from the last `)`.
 * @throws Error if the text is not a stat line
 */
export function parseProcStatCpuTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  // After ") " come field 3 (state) onwards; utime and stime are fields 14 and 15.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || fields.length < 13) {
    throw new Error(`not a /proc stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  }
  return utime + stime;
}

/**
 * CPU seconds (user + system, all threads) used so far by process `pid`.
 * @throws Error if the process does not exist (any more)
 */
export function procCpuSeconds(pid: number): number {
  return parseProcStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

/**
 * Write system calls (`write`, `writev`, `sendmsg` and the like: `syscw` of
 * `/proc/PID/io`) made so far by process `pid`.
 * @throws Error if the process does not exist (any more) or its io file has no `syscw`
 */
export function procWriteCalls(pid: number): number {
  const m = /^syscw:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (m === null) throw new Error(`/proc/${pid}/io has no syscw line`);
  return Number(m[1]);
}
