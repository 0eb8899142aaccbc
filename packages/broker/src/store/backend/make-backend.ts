import { BrokerError } from '@broker-ts/data';
import type { Backend, BackendKind } from './backend';
import type { BackendOptions } from './backend-options';
import { LmdbBackend } from './lmdb-backend';
import { MemoryBackend } from './memory-backend';
import { SqliteBackend } from './sqlite-backend';

/**
 * Creates a backend of a kind (Broker's `make_backend`).
 * @param kind - `memory`, `sqlite` or `lmdb`
 * @param options - the backend's options (`path` for the persistent ones; see
 *   {@link parseSqliteOptions} and {@link parseLmdbOptions}); ignored by `memory`
 * @returns the open backend
 * @throws BrokerError `backend_failure` for an unknown kind or a wrong option,
 *   `cannot_open_file` when a persistent store cannot be opened
 */
export function makeBackend(kind: BackendKind, options?: BackendOptions): Backend {
  switch (kind) {
    case 'memory':
      return new MemoryBackend(options);
    case 'sqlite':
      return new SqliteBackend(options);
    case 'lmdb':
      return new LmdbBackend(options);
    default:
      throw new BrokerError('backend_failure', `unknown backend kind ${JSON.stringify(kind)} (known: memory, sqlite, lmdb)`);
  }
}
