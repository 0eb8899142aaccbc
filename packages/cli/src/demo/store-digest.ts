/**
 * A fingerprint of a data store's contents, to check that the master and every clone
 * hold the same data without shipping the data around.
 */
import { createHash } from 'node:crypto';
import { type Store, toString } from '@broker-ts/broker';

/** The size and fingerprint of a store. */
export interface StoreDigest {
  /** Number of keys. */
  size: number;
  /** SHA-256 (hex, first 16 characters) of every `key -> value` line, in Broker's key order. */
  digest: string;
}

/**
 * Reads every entry of a store (master or clone) and fingerprints it.
 * @param store - the store frontend
 */
export async function storeDigest(store: Store): Promise<StoreDigest> {
  const keys = await store.keys();
  const hash = createHash('sha256');
  for (const key of keys) hash.update(`${toString(key)} -> ${toString((await store.get(key)) ?? null)}\n`);
  return { size: keys.size, digest: hash.digest('hex').slice(0, 16) };
}
