/**
 * Runs `benchmarks/baselines/setup.sh` (installs Broker 1.4, CAF headers, nats-server
 * when missing; builds the C++ programs when stale) before any measurement.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Path of the setup script. */
export const SETUP_SCRIPT = join(__dirname, '..', 'setup.sh');

/**
 * Runs the setup script, its output going to this process's stderr.
 * @throws Error if it fails
 */
export function runSetup(): void {
  const result = spawnSync('bash', [SETUP_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${SETUP_SCRIPT} failed with status ${result.status}`);
}
