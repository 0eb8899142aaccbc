/**
 * The topics of the demo cluster, named as Zeek's cluster framework names them
 * (zeek/zeek `scripts/base/frameworks/cluster/main.zeek`): one topic per node type, one
 * per node. Topics match by prefix, so a node topic ends with a `/`: otherwise
 * `zeek/cluster/node/worker-1` would also match `worker-10`.
 */

/** Events for the manager (worker events, statistics, replies to the manager's requests). */
export const MANAGER_TOPIC = 'zeek/cluster/manager';

/** Events for every proxy. */
export const PROXY_TOPIC = 'zeek/cluster/proxy';

/** Events for every worker. */
export const WORKER_TOPIC = 'zeek/cluster/worker';

/**
 * The topic of one node, by name.
 * @param name - the node's name, e.g. `worker-1`
 */
export function nodeTopic(name: string): string {
  return `zeek/cluster/node/${name}/`;
}

/** The data stores the cluster shares (master on the manager, a clone on every other node). */
export const STORES = {
  /** Connections seen per originating host: key address, value count (incremented by workers). */
  connCounts: 'conn_counts',
  /** Servers seen anywhere in the cluster: key address, value the name of the worker that saw it first. */
  knownServers: 'known_servers',
} as const;

/** The store names, in the order the summary lists them. */
export const STORE_NAMES: readonly string[] = [STORES.connCounts, STORES.knownServers];
