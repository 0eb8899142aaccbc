/**
 * What the facade's publishing objects (the endpoint's publish calls, publishers, hubs)
 * read of the endpoint's state without a message: written by the endpoint and its core,
 * which live in the same thread.
 */
import { type Data, type DataInput, encodeExactBinary, toData } from '@broker-ts/data';

/** The endpoint's state as its publishing objects read it. */
export interface EndpointLife {
  /** Set once the endpoint is shut down. */
  stopped: boolean;
  /** Peers the core has now (set by the core as peerings come and go). */
  peers: number;
  /**
   * Local subscriptions that may take this endpoint's own publications: hubs, and
   * subscriptions to internal topics (set by the core as subscriptions come and go).
   */
  localListeners: number;
  /**
   * Whether some peer's filter takes a topic now (set by the core, which knows the
   * filters; until then every topic counts as wanted).
   */
  wantedByPeers: (topic: string) => boolean;
  /**
   * Publishers whose callers wait for credit, each by its function that wakes them: the
   * endpoint calls these when it shuts down, so that the waiting calls reject. A
   * publisher is here only while it has callers waiting.
   */
  waitingPublishers: Set<() => void>;
}

/** The state of a new endpoint, before its core set anything. */
export function newEndpointLife(): EndpointLife {
  return { stopped: false, peers: 0, localListeners: 0, wantedByPeers: () => true, waitingPublishers: new Set() };
}

// Local bindings of the per-publication calls: see docs/architecture.md, "Local bindings
// on hot paths".
const encodeExact = encodeExactBinary;
const convertToData = toData;

/**
 * A publication's bytes for the peers: exact data checked while it is encoded (one walk
 * instead of `toData` and a later encoding), or undefined when the value needs `toData`
 * (natural input, or one it refuses) or no peer would take it: the endpoint has none, or
 * none whose filter takes `topic` (then `toData` alone is the cheaper check, and the
 * core encodes the value if a peer wants it by the time it is routed).
 * @param topic - the publication's topic; omitted for one addressed to a peer by id,
 *   which no filter decides
 */
export function encodeForPeers(value: DataInput, life: Readonly<EndpointLife>, topic?: string): Uint8Array | undefined {
  return life.peers > 0 && (topic === undefined || life.wantedByPeers(topic)) ? encodeExact(value) : undefined;
}

/**
 * A publication's value as the core takes it: `toData`'s conversion when
 * {@link encodeForPeers} did not encode it; when it did (the value was exact data), the
 * value itself while a local subscription may take it, else undefined. Without a local
 * listener only the bytes travel on: the value can be collected at once instead of
 * surviving in the publish buffer until the core takes it (what a sender at full rate
 * spent most of its garbage collection on), and the core decodes the bytes should a
 * listener come before it routes them.
 * @param payload - what {@link encodeForPeers} returned for `value`
 * @returns the value, or undefined only when `payload` is defined
 * @throws BrokerError as `toData` does, for a value that is not Broker data
 */
export function publishedData(value: DataInput, payload: Uint8Array | undefined, life: Readonly<EndpointLife>): Data | undefined {
  if (payload === undefined) return convertToData(value);
  return life.localListeners > 0 ? (value as Data) : undefined;
}
