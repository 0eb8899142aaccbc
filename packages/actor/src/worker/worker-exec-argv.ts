/**
 * Node flags for worker threads that run TypeScript.
 */
import { ActorError } from '../actor-error';

/**
 * The `execArgv` a worker needs: when the entry or the module it loads is TypeScript,
 * the tsx loader plus the `@broker-ts/source` condition (so workspace packages resolve
 * to their sources); nothing for compiled `.js`.
 * @param files - the worker entry and the modules it will load
 * @throws ActorError `spawn_failed` when TypeScript is needed but tsx is not installed
 */
export function workerExecArgv(...files: (string | undefined)[]): string[] {
  if (!files.some((f) => f !== undefined && /\.[cm]?tsx?$/.test(f))) return [];
  let tsx: string;
  try {
    tsx = require.resolve('tsx/cjs');
  } catch (e) {
    throw new ActorError('spawn_failed', 'running a TypeScript worker module needs the tsx package', e);
  }
  return ['--conditions=@broker-ts/source', '--require', tsx];
}
