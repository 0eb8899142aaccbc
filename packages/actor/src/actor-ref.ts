/**
 * Location-transparent actor references.
 */
import { inspect } from 'node:util';
import type { AnyMessage, Message } from './message';

/**
 * What a reference needs from the system it is bound to. Implemented by `ActorSystem`;
 * not exported by the package (the codec's signatures name it).
 */
export interface RefHost {
  /** Delivers `msg` to `to`; the sender is the actor currently running, if any. */
  tellFrom(to: ActorRef, msg: unknown): void;
}

/**
 * A reference to an actor: `{ node, id }` with value semantics. It works the same for an
 * actor in this thread, in a worker thread or in another process, it can be put inside
 * messages (it travels as a cbor-x extension and is rebound to the receiving system),
 * and it never keeps its actor alive.
 * @typeParam M - the messages the actor accepts
 */
export class ActorRef<M extends Message = AnyMessage> {
  /** Node id of the system hosting the actor. */
  readonly node: string;
  /** Actor id, unique within its node; id 0 addresses the node itself. */
  readonly id: number;
  /** @internal the system this reference sends through */
  readonly host: RefHost;
  private keyCache: string | undefined;

  /** @internal refs are made by the system and by the codec, never by users. */
  constructor(node: string, id: number, host: RefHost) {
    this.node = node;
    this.id = id;
    this.host = host;
  }

  /**
   * Sends a message (fire and forget). The sender seen by the receiver is the actor whose
   * handler is running, if any. Never throws: undeliverable messages become dead letters.
   * @param msg - the message
   */
  tell(msg: M): void {
    this.host.tellFrom(this, msg);
  }

  /** True when `other` designates the same actor (same node and id). */
  equals(other: ActorRef<Message> | null | undefined): boolean {
    return other != null && other.id === this.id && other.node === this.node;
  }

  /** A string unique per actor, usable as a Map key: `node#id`. */
  get key(): string {
    return (this.keyCache ??= `${this.node}#${this.id}`);
  }

  /** Same as {@link ActorRef.key}. */
  toString(): string {
    return `ActorRef(${this.key})`;
  }

  /** Prints as `ActorRef(node#id)` in `console.log` and `util.inspect`. */
  [inspect.custom](): string {
    return this.toString();
  }

  /** `{ node, id }`, so that refs print and serialize to JSON as data. */
  toJSON(): { node: string; id: number } {
    return { node: this.node, id: this.id };
  }
}
