/**
 * Started through the tsx command line, the importing benchmark script runs itself again
 * in a process started as the benchmarks' child processes are (`node
 * --conditions=@broker-ts/source --require tsx/cjs`), and this process exits with that
 * one's status. Import it first, before any module whose loading costs time.
 *
 * Why: the tsx command line loads the script through Node's ESM loader hooks, and there
 * a loop that built conn.log events, checked, encoded and decoded them ran at about a
 * quarter of its rate in such a process, and the codec alone 10-20% slower (not
 * explained; `benchmarks/RESULTS.md`, "Per-event cost"). Compiled applications run
 * CommonJS without those hooks; the figures are meant for that.
 */
import { spawnSync } from 'node:child_process';

/** Whether this process was started by the tsx command line (its ESM loader is imported). */
function startedByTsxCli(): boolean {
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = a === '--import' ? args[i + 1] : a.startsWith('--import=') ? a.slice('--import='.length) : undefined;
    if (value !== undefined && /[\\/]tsx[\\/]dist[\\/]loader\.mjs$/.test(value)) return true;
  }
  return false;
}

/** The node flags of this process without the tsx command line's own (its preflight and loader). */
function ownFlags(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((a === '--require' || a === '--import') && /[\\/]tsx[\\/]dist[\\/]/.test(args[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (/^--(require|import)=.*[\\/]tsx[\\/]dist[\\/]/.test(a)) continue;
    out.push(a);
  }
  if (!out.some((a) => a.startsWith('--conditions=@broker-ts/source'))) out.push('--conditions=@broker-ts/source');
  return out;
}

if (startedByTsxCli()) {
  const script = process.argv[1];
  const result = spawnSync(process.execPath, [...ownFlags(), '--require', require.resolve('tsx/cjs'), script, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error !== undefined) throw result.error;
  process.exit(result.status ?? 1);
}
