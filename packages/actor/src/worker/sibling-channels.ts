/**
 * The worker side of direct channels between sibling worker nodes.
 */
import { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ActorSystem } from '../actor-system';
import { MessagePortLink } from './message-port-link';
import type { RelayEnd, SiblingIntro } from './worker-data';

/**
 * Links up the direct channels a worker node's parent introduces ({@link SiblingIntro}).
 *
 * Switch-over, per direction (A sending to B): A flushes what it queued for B on the
 * parent link, posts `{ relayEnd: B }` there, then links up the channel and sends to B
 * directly. B links the channel up at once (so B's own sends go direct) but reads it only
 * after the parent passed A's marker on: the parent relays in order, so by then every
 * batch A sent through it has arrived, and no direct message overtakes a relayed one.
 *
 * A channel whose other end closes (the sibling's thread ended or shut down) is taken
 * down; so is one whose node the parent reports lost (`node-down`, see `LinkUpOptions.via`).
 */
export class SiblingChannels {
  /** Channels linked up but not yet read (waiting for the sibling's relay-end marker). */
  private readonly waiting = new Map<string, MessagePortLink>();
  private readonly log: Logger;

  /**
   * @param system - the worker's system
   * @param parent - the link to the parent (the worker's default link)
   */
  constructor(
    private readonly system: ActorSystem,
    private readonly parent: MessagePortLink,
  ) {
    this.log = system.loggerFor('worker');
  }

  /** Handles a control message from the parent; unknown ones are logged and dropped. */
  readonly control = (data: object): void => {
    const intro = data as Partial<SiblingIntro>;
    if (typeof intro.intro === 'string' && intro.port instanceof MessagePort) return this.introduced(intro.intro, intro.port);
    const end = (data as Partial<RelayEnd>).relayEnd;
    if (typeof end === 'string') return this.relayEnded(end);
    this.log.warn({ event: 'decode-failed', node: this.parent.remoteNode, reason: 'unknown control message' }, 'dropped an unknown control message');
  };

  private introduced(node: string, port: MessagePort): void {
    const router = this.system.router;
    if (this.system.state !== 'running' || node === this.system.nodeId || router.hasLink(node)) {
      port.close();
      return;
    }
    const link = new MessagePortLink(this.system, port, node, { paused: true, ownsPort: true });
    // Everything queued for `node` so far goes through the parent, then the marker.
    this.parent.postControl({ relayEnd: node } satisfies RelayEnd);
    // The parent reports how the sibling ended (a warning if it failed); here its channel
    // going is logged at info.
    const down = (cause: string): void => {
      this.waiting.delete(node);
      if (router.routeFor(node) !== link) return;
      link.close();
      router.linkDown(node, cause, true);
    };
    // The parent reports the sibling lost. A channel being read ends with a close event
    // queued after the sibling's last messages (its final DOWN/EXIT): wait for it. One not
    // read yet would never deliver its close event: drop it now.
    const viaLost = (): void => {
      if (this.waiting.has(node)) down('sibling lost before its channel was read');
    };
    router.linkUp(link, { via: this.parent.remoteNode, viaLost });
    this.waiting.set(node, link);
    port.once('close', () => down('sibling channel closed'));
    this.log.info({ event: 'worker-sibling-channel', node }, 'direct channel to a sibling worker');
  }

  private relayEnded(node: string): void {
    const link = this.waiting.get(node);
    if (link === undefined) return;
    this.waiting.delete(node);
    link.resume();
  }
}
