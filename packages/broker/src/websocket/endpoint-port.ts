/**
 * Builds the {@link WebSocketEndpointPort} of an endpoint from the two things the
 * endpoint lends it: its core's command channel and its id source. The port speaks the
 * core's commands, so that the server itself knows nothing of the core.
 */
import type { Logger } from 'pino';
import type { CoreCommand } from '../core-messages';
import { LocalSubscription } from '../local-subscription';
import { Topics } from '../topic';
import type { WebSocketEndpointPort } from './web-socket-server';

/** What the endpoint lends its WebSocket servers. */
export interface EndpointHooks {
  /** The endpoint id. */
  id: string;
  /** Logger of the `network` component. */
  log: Logger;
  /** Sends the core a command, in order with the endpoint's publications. */
  tell(msg: CoreCommand): void;
  /** A fresh subscription id. */
  nextId(): number;
}

/** The port through which a WebSocket server reaches its endpoint. */
export function webSocketEndpointPort(hooks: EndpointHooks): WebSocketEndpointPort {
  return {
    id: hooks.id,
    log: hooks.log,
    attachClient(topics, sink) {
      const id = hooks.nextId();
      let open = true;
      // The client's own session buffer applies its overflow policy, so the core may
      // always push: a slow client never holds back the core, its peers or other clients.
      const sub = new LocalSubscription(id, true, {
        freeCapacity: Number.POSITIVE_INFINITY,
        push: ([topic, value]) => {
          if (open) sink(topic, value);
          return true;
        },
        close: () => {
          open = false;
        },
      });
      hooks.tell({ type: 'add-subscription', sub, topics });
      return {
        id,
        detach: () => {
          if (!open) return;
          open = false;
          hooks.tell({ type: 'remove-subscription', id });
        },
      };
    },
    publishFromClient(subscription, topic, value) {
      hooks.tell({ type: 'publish', topic, value, from: subscription, asRemote: true });
    },
    emitStatus(status) {
      hooks.tell({ type: 'publish', topic: Topics.statuses, value: status.toData() });
    },
  };
}
