/**
 * The cbor-x codec of envelope batches, shared by every transport (worker threads, TCP).
 *
 * Batch layout: a CBOR sequence (RFC 8742: items one after another, no enclosing array)
 * `senderNode, receiverNode, ...envelopes`, each envelope 7 items `kind, toId,
 * toNode|null, fromId|-1, fromNode|null, rid, msg`, where a null `toNode` means the
 * receiver node and a null `fromNode` the sender node. The older layout, the same items
 * in one CBOR array, is still read, and written on request for TCP peers of protocol
 * version 1 ({@link EnvelopeLayout}). Objects use cbor-x records (one key list per shape
 * and batch; no state across batches). Refs inside messages are CBOR tag
 * {@link ACTOR_REF_TAG} `[node, id]`; ActorErrors are tag {@link ACTOR_ERROR_TAG}
 * `{code, message, cause?}`. Other packages add their own types with
 * {@link registerCodecExtension}.
 */
import { addExtension, Encoder } from 'cbor-x';
import { ActorError, type ActorErrorData } from './actor-error';
import { ActorRef, type RefHost } from './actor-ref';
import { Envelope, EnvelopeKind } from './envelope';

/** CBOR tag of an ActorRef: `[node: string, id: number]`. */
export const ACTOR_REF_TAG = 41001;
/** CBOR tag of an ActorError: `{ code, message, cause? }`. */
export const ACTOR_ERROR_TAG = 41002;

/** Envelope fields per entry in a batch. */
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
 * How a batch's items are framed: `sequence` (the default), the items one after another;
 * `array`, the items in one CBOR array, as protocol version 1 of the TCP transport
 * reads them. Decoding takes either.
 */
export type EnvelopeLayout = 'sequence' | 'array';

/**
 * The items of a batch, encoded one after another by the extension below rather than by
 * cbor-x's array loop. Why: V8 compiles cbor-x's value encoder for on-stack replacement
 * while one call of it runs a long loop, as a whole batch's array does; once that
 * function is deoptimized (a message of a shape it has not seen, which the next spawn's
 * system messages are), V8 left it unoptimized for good while such compiled code
 * existed: the sending thread then spent about 5 times the CPU per message, from then
 * on. Here each item is its own short call, the loop is ours, and the encoder recovers
 * from a deoptimization as usual (`benchmarks/RESULTS.md`, "Actor runtime, worker
 * threads").
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
  try {
    return encodeReusing(layout === 'sequence' ? new ItemSequence(flat) : flat);
  } catch (e) {
    throw new ActorError('invalid_argument', `cannot encode envelopes: ${e instanceof Error ? e.message : String(e)}`, e);
  }
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
  let flat: unknown;
  const prev = decodingHost;
  decodingHost = host;
  try {
    // A batch in the array layout starts with an array head (major type 4); one in the
    // sequence layout with its sender node, a text string.
    flat = bytes.length > 0 && bytes[0] >> 5 === 4 ? decoder.decode(bytes) : decoder.decodeMultiple(bytes);
  } catch (e) {
    if (e instanceof ActorError) throw e;
    throw new ActorError('decode_failed', `undecodable batch: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    decodingHost = prev;
  }
  if (!Array.isArray(flat) || flat.length < 2 || (flat.length - 2) % FIELDS !== 0) throw new ActorError('decode_failed', 'a batch must hold 2 + 7n items');
  const senderNode = flat[0];
  const receiverNode = flat[1];
  if (typeof senderNode !== 'string' || typeof receiverNode !== 'string') throw new ActorError('decode_failed', 'batch header must name both nodes');
  const out: Envelope[] = new Array((flat.length - 2) / FIELDS);
  // Consecutive envelopes mostly share receiver and sender: reuse their refs.
  let lastTo: ActorRef | null = null;
  let lastFrom: ActorRef | null = null;
  for (let j = 2, i = 0; j < flat.length; j += FIELDS, i++) {
    const kind = flat[j];
    const toId = flat[j + 1];
    const toNode = flat[j + 2] ?? receiverNode;
    const fromId = flat[j + 3];
    const fromNode = flat[j + 4] ?? senderNode;
    const rid = flat[j + 5];
    if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > MAX_KIND) throw new ActorError('decode_failed', `bad envelope kind ${String(kind)}`);
    if (!isActorId(toId) || typeof toNode !== 'string') throw new ActorError('decode_failed', 'bad envelope receiver');
    if (typeof fromId !== 'number' || !Number.isInteger(fromId) || fromId < -1 || typeof fromNode !== 'string') throw new ActorError('decode_failed', 'bad envelope sender');
    if (!isActorId(rid)) throw new ActorError('decode_failed', 'bad request id');
    let from: ActorRef | null = null;
    if (fromId !== -1) {
      from = lastFrom !== null && lastFrom.id === fromId && lastFrom.node === fromNode ? lastFrom : new ActorRef(fromNode, fromId, host);
      lastFrom = from;
    }
    const to: ActorRef = lastTo !== null && lastTo.id === toId && lastTo.node === toNode ? lastTo : new ActorRef(toNode, toId, host);
    lastTo = to;
    out[i] = new Envelope(to, from, flat[j + 6], kind as EnvelopeKind, rid);
  }
  return out;
}

function isActorId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
