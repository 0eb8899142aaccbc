/** The commit a benchmark measured, for its saved report. */
import { execFileSync } from 'node:child_process';

/**
 * The short hash of HEAD of the checkout holding the benchmarks, or `unknown` outside a
 * git checkout (a `git archive` export: pass `--commit` there).
 */
export function checkoutCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: __dirname }).trim();
  } catch {
    return 'unknown';
  }
}
