/**
 * Loading a named export from a module file (worker side).
 */
import * as path from 'node:path';
import { ActorError } from '../actor-error';

/**
 * Requires `modulePath` and returns its export `exportName` (default: `default`, else
 * the module itself).
 * @throws ActorError `spawn_failed` when the module cannot be loaded or lacks the export
 */
export function loadExport(modulePath: string, exportName?: string): unknown {
  if (typeof modulePath !== 'string' || !path.isAbsolute(modulePath)) throw new ActorError('invalid_argument', `module path must be absolute, got ${String(modulePath)}`);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modulePath) as Record<string, unknown>;
  } catch (e) {
    throw new ActorError('spawn_failed', `cannot load ${modulePath}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  if (exportName === undefined) return mod.default ?? mod;
  if (!(exportName in mod)) throw new ActorError('spawn_failed', `${modulePath} has no export '${exportName}'`);
  return mod[exportName];
}
