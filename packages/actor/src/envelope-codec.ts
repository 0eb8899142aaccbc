/**
 * The cbor-x codec of envelope batches, shared by every transport (worker threads, TCP).
 *
 * Batch layout: a CBOR sequence (RFC 8742: items one after another, no enclosing array)
 * `senderNode, receiverNode, ...envelopes`, each envelope one array of 7 items `[kind,
 * toId, toNode|null, fromId|-1, fromNode|null, rid, msg]`, where a null `toNode` means
 * the receiver node and a null `fromNode` the sender node. The older layout, one CBOR
 * array `[senderNode, receiverNode, (the 7 items of each envelope)*]`, is still read, and
 * written on request for TCP peers of protocol version 1 ({@link EnvelopeLayout}).
 * Objects use cbor-x records (one key list per shape and batch; no state across
 * batches). Refs inside messages are CBOR tag {@link ACTOR_REF_TAG} `[node, id]`;
 * ActorErrors are tag {@link ACTOR_ERROR_TAG} `{code, message, cause?}`. Other packages
 * add their own types with {@link registerCodecExtension}.
 */
import { addExtension, Encoder } from 'cbor-x';
import { ActorError, type ActorErrorData } from './actor-error';
import { ActorRef, type RefHost } from './actor-ref';
import { Envelope, EnvelopeKind } from './envelope';

/** CBOR tag of an ActorRef: `[node: string, id: number]`. */
export const ACTOR_REF_TAG = 41001;
/** CBOR tag of an ActorError: `{ code, message, cause? }`. */
export const ACTOR_ERROR_TAG = 41002;

/** Fields of an envelope in a batch. */
const FIELDS = 7;
const MAX_KIND = EnvelopeKind.Demonitor;

/** Host refs are bound to while a batch is being decoded (decoding is synchronous). */
let decodingHost: RefHost | null = null;

const detachedHost: RefHost = {
  tellFrom(to: ActorRef): void {
    throw new ActorError('invalid_argument', `${to.key} was decoded outside decodeEnvelopes and is bound to no system`);
  },
};

/** A cbor-x extension, as accepted by {@link registerCodecExtension}. */
export interface CodecExtension<T, R = unknown> {
  /** The class whose instances it encodes (matched by constructor). */
  Class: new (...args: never[]) => T;
  /** CBOR tag number; must not collide with ours (41001, 41002) or another extension. */
  tag: number;
  /** Encodes an instance by calling `encode` with a plain value. */
  encode(instance: T, encode: (value: R) => void): void;
  /** Rebuilds an instance from the plain value. */
  decode(data: R): T;
}

/**
 * Registers a cbor-x extension used by every envelope batch (cbor-x extensions are
 * process-wide; register before the first message of that type is sent). Broker's value
 * types, for example, are registered by the Broker package this way.
 * @param extension - class, tag, encode, decode
 */
export function registerCodecExtension<T, R = unknown>(extension: CodecExtension<T, R>): void {
  addExtension(extension as unknown as Parameters<typeof addExtension>[0]);
}

registerCodecExtension<ActorRef, [string, number]>({
  Class: ActorRef,
  tag: ACTOR_REF_TAG,
  encode(ref, encode) {
    encode([ref.node, ref.id]);
  },
  decode(data) {
    if (!Array.isArray(data) || typeof data[0] !== 'string' || !isActorId(data[1])) throw new ActorError('decode_failed', 'malformed actor reference');
    return new ActorRef(data[0], data[1], decodingHost ?? detachedHost);
  },
});

registerCodecExtension<ActorError, ActorErrorData>({
  Class: ActorError,
  tag: ACTOR_ERROR_TAG,
  encode(err, encode) {
    encode(err.toData());
  },
  decode(data) {
    if (typeof data !== 'object' || data === null) throw new ActorError('decode_failed', 'malformed actor error');
    return ActorError.fromData(data);
  },
});

// Records: objects of one shape within a batch share one key list (self-contained per
// batch: no structure state is shared between encoder and decoder across batches).
const encoder = new Encoder({ useRecords: true, mapsAsObjects: true });
const decoder = new Encoder({ useRecords: true, mapsAsObjects: true });

/**
 * cbor-x's mode that starts the next encoding where this one started (its `encode`
 * takes it as a second argument; the typings leave it out). Without it every batch is
 * written after the previous one and the encoder moves to a fresh buffer whenever its
 * buffer fills: under load that is a new buffer every few flushes, kept long enough to
 * reach the old generation, so tens of MiB of written batches wait for a full collection.
 * With it, one buffer (grown to the largest batch) serves every batch; callers already
 * send or copy the result before the next call.
 */
const RESET_BUFFER_MODE = 1024;
const encodeReusing = (value: unknown): Uint8Array => (encoder as unknown as { encode(v: unknown, mode: number): Uint8Array }).encode(value, RESET_BUFFER_MODE);

/**
 * How a batch is framed: `sequence` (the default), a CBOR sequence with one array per
 * envelope; `array`, every item in one CBOR array, as protocol version 1 of the TCP
 * transport reads it. Decoding takes either.
 */
export type EnvelopeLayout = 'sequence' | 'array';

/**
 * The items of a batch, encoded one after another by the extension below rather than by
 * cbor-x's array loop. Why: V8 compiles cbor-x's value encoder for on-stack replacement
 * while one call of it runs a long loop, as a whole batch in one array does; once that
 * function was deoptimized (a message of a shape it had not seen, such as the system
 * messages of the next spawn), V8 did not optimize it again, and the sending thread spent
 * about 5 times the CPU per message from then on. Here the long loop is ours and each
 * envelope is a short array: the encoder recovers from a deoptimization as usual
 * (`benchmarks/RESULTS.md`, "Actor runtime, worker threads"). Decoding an array per
 * envelope is also faster than picking 7 items at a time out of one long array.
 */
class ItemSequence {
  constructor(readonly items: unknown[]) {}
}

// No tag: cbor-x writes no tag when an extension has none, so an ItemSequence becomes
// exactly its items. The class is private: no message can hold one.
addExtension({
  Class: ItemSequence,
  tag: undefined,
  encode(sequence: ItemSequence, encode: (value: unknown) => void): void {
    const items = sequence.items;
    for (let i = 0; i < items.length; i++) encode(items[i]);
  },
} as unknown as Parameters<typeof addExtension>[0]);

/**
 * Encodes envelopes into one batch. The result may share memory with the encoder's
 * buffer: send or copy it before the next call, and never transfer its ArrayBuffer.
 * @param envelopes - envelopes from `senderNode` (refs of that node are written short)
 * @param senderNode - this node's id
 * @param receiverNode - the node at the other end of the link
 * @param layout - `array` only for a TCP peer of protocol version 1
 * @throws ActorError `invalid_argument` if a message cannot be encoded
 */
export function encodeEnvelopes(envelopes: readonly Envelope[], senderNode: string, receiverNode: string, layout: EnvelopeLayout = 'sequence'): Uint8Array {
  const value = layout === 'sequence' ? sequenceOf(envelopes, senderNode, receiverNode) : flatArrayOf(envelopes, senderNode, receiverNode);
  try {
    return encodeReusing(value);
  } catch (e) {
    throw new ActorError('invalid_argument', `cannot encode envelopes: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

function sequenceOf(envelopes: readonly Envelope[], senderNode: string, receiverNode: string): ItemSequence {
  const n = envelopes.length;
  const items: unknown[] = new Array(2 + n);
  items[0] = senderNode;
  items[1] = receiverNode;
  for (let i = 0; i < n; i++) {
    const e = envelopes[i];
    const from = e.from;
    items[2 + i] = [e.kind, e.to.id, e.to.node === receiverNode ? null : e.to.node, from === null ? -1 : from.id, from === null || from.node === senderNode ? null : from.node, e.rid, e.msg];
  }
  return new ItemSequence(items);
}

function flatArrayOf(envelopes: readonly Envelope[], senderNode: string, receiverNode: string): unknown[] {
  const n = envelopes.length;
  const flat: unknown[] = new Array(2 + n * FIELDS);
  flat[0] = senderNode;
  flat[1] = receiverNode;
  let j = 2;
  for (let i = 0; i < n; i++) {
    const e = envelopes[i];
    flat[j++] = e.kind;
    flat[j++] = e.to.id;
    flat[j++] = e.to.node === receiverNode ? null : e.to.node;
    const from = e.from;
    flat[j++] = from === null ? -1 : from.id;
    flat[j++] = from === null || from.node === senderNode ? null : from.node;
    flat[j++] = e.rid;
    flat[j++] = e.msg;
  }
  return flat;
}

/**
 * Decodes a batch made by {@link encodeEnvelopes} in either layout, binding every ref (in
 * addressing and inside messages) to `host`.
 * @param bytes - one batch
 * @param host - the receiving system
 * @returns the envelopes in order
 * @throws ActorError `decode_failed` for anything malformed (never a crash)
 */
export function decodeEnvelopes(bytes: Uint8Array, host: RefHost): Envelope[] {
  // The array layout starts with an array head (major type 4); the sequence layout with
  // the sender's node id, a text string.
  const arrayLayout = bytes.length > 0 && bytes[0] >> 5 === 4;
  let items: unknown;
  const prev = decodingHost;
  decodingHost = host;
  try {
    items = arrayLayout ? decoder.decode(bytes) : decoder.decodeMultiple(bytes);
  } catch (e) {
    if (e instanceof ActorError) throw e;
    throw new ActorError('decode_failed', `undecodable batch: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    decodingHost = prev;
  }
  if (!Array.isArray(items) || items.length < 2) throw new ActorError('decode_failed', 'a batch must start with both node ids');
  const senderNode = items[0];
  const receiverNode = items[1];
  if (typeof senderNode !== 'string' || typeof receiverNode !== 'string') throw new ActorError('decode_failed', 'batch header must name both nodes');
  const reader = new EnvelopeReader(host, senderNode, receiverNode);
  if (arrayLayout) {
    if ((items.length - 2) % FIELDS !== 0) throw new ActorError('decode_failed', 'a batch in the array layout must hold 2 + 7n items');
    const out: Envelope[] = new Array((items.length - 2) / FIELDS);
    for (let j = 2, i = 0; j < items.length; j += FIELDS, i++) out[i] = reader.read(items, j);
    return out;
  }
  const out: Envelope[] = new Array(items.length - 2);
  for (let j = 2; j < items.length; j++) {
    const fields = items[j];
    if (!Array.isArray(fields) || fields.length !== FIELDS) throw new ActorError('decode_failed', `an envelope must be an array of ${FIELDS} items`);
    out[j - 2] = reader.read(fields, 0);
  }
  return out;
}

/** Checks an envelope's fields and builds it, reusing the refs of the one before. */
class EnvelopeReader {
  private lastTo: ActorRef | null = null;
  private lastFrom: ActorRef | null = null;

  constructor(
    private readonly host: RefHost,
    private readonly senderNode: string,
    private readonly receiverNode: string,
  ) {}

  /** The envelope whose 7 fields start at `items[j]`. */
  read(items: unknown[], j: number): Envelope {
    const kind = items[j];
    const toId = items[j + 1];
    const toNode = items[j + 2] ?? this.receiverNode;
    const fromId = items[j + 3];
    const fromNode = items[j + 4] ?? this.senderNode;
    const rid = items[j + 5];
    if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > MAX_KIND) throw new ActorError('decode_failed', `bad envelope kind ${String(kind)}`);
    if (!isActorId(toId) || typeof toNode !== 'string') throw new ActorError('decode_failed', 'bad envelope receiver');
    if (typeof fromId !== 'number' || !Number.isInteger(fromId) || fromId < -1 || typeof fromNode !== 'string') throw new ActorError('decode_failed', 'bad envelope sender');
    if (!isActorId(rid)) throw new ActorError('decode_failed', 'bad request id');
    // Consecutive envelopes mostly share receiver and sender: reuse their refs.
    let from: ActorRef | null = null;
    if (fromId !== -1) {
      const last = this.lastFrom;
      from = last !== null && last.id === fromId && last.node === fromNode ? last : new ActorRef(fromNode, fromId, this.host);
      this.lastFrom = from;
    }
    const last = this.lastTo;
    const to = last !== null && last.id === toId && last.node === toNode ? last : new ActorRef(toNode, toId, this.host);
    this.lastTo = to;
    return new Envelope(to, from, items[j + 6], kind as EnvelopeKind, rid);
  }
}

function isActorId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
