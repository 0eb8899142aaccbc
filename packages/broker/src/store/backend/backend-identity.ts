import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrokerError } from '@broker-ts/data';
import type { BackendKind } from './backend';
import { optionEntries, type BackendOptions } from './backend-options';
import { parseLmdbOptions } from './lmdb-backend';
import { parseSqliteOptions } from './sqlite-options';

/** What a backend is, as far as attaching a master again must match it. */
export interface BackendIdentity {
  /** The kind and every option, normalised, e.g. `sqlite /abs/x.sqlite (synchronous default, ...)`; equal text ⇔ the same backend. */
  readonly description: string;
  /** The absolute path of a persistent backend's file or directory (symbolic links resolved), or null for `memory`. */
  readonly file: string | null;
}

/**
 * An absolute path with symbolic links resolved as far as the path exists, so that two
 * spellings of one file compare equal before the file is created.
 */
function canonicalPath(p: string): string {
  const abs = path.resolve(p);
  let existing = abs;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) return abs;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  try {
    return path.join(fs.realpathSync(existing), ...rest);
  } catch {
    return abs;
  }
}

/**
 * Describes the backend that `makeBackend(kind, options)` would open, without opening it:
 * the endpoint compares it with the backend of a master already attached under the same
 * name (the same description: the same store; anything else: refused).
 * @param kind - `memory`, `sqlite` or `lmdb`
 * @param options - the backend options as given to `attachMaster`
 * @throws BrokerError `backend_failure` for an unknown kind or a wrong option (as `makeBackend`)
 */
export function backendIdentity(kind: BackendKind, options: BackendOptions | undefined): BackendIdentity {
  switch (kind) {
    case 'memory':
      optionEntries(options);
      return { description: 'memory', file: null };
    case 'sqlite': {
      const o = parseSqliteOptions(options);
      const file = canonicalPath(o.path);
      const opts = `synchronous ${o.synchronous ?? 'default'}, journalMode ${o.journalMode ?? 'default'}, integrityCheck ${String(o.integrityCheck)}, failureMode ${o.failureMode}, busyTimeout ${o.busyTimeout}`;
      return { description: `sqlite ${file} (${opts})`, file };
    }
    case 'lmdb': {
      const o = parseLmdbOptions(options);
      const file = canonicalPath(o.path);
      return { description: `lmdb ${file} (noSync ${String(o.noSync)})`, file };
    }
    default:
      throw new BrokerError('backend_failure', `unknown backend kind ${JSON.stringify(kind)} (known: memory, sqlite, lmdb)`);
  }
}
