/**
 * A raw baseline's batch for cbor-x: its items, written one after another (a CBOR
 * sequence, read back with `decodeMultiple`) through a tagless extension, as the actor
 * runtime writes its envelope batches (`packages/actor/src/envelope-codec.ts`), so that
 * a baseline and the runtime use cbor-x the same way. Encoded as one array instead,
 * cbor-x's value encoder can fall into a slow mode of V8's after long arrays
 * (docs/actor-runtime.md, "Codec"), and a baseline would swing with it.
 */
import { addExtension } from 'cbor-x';

/** Items to encode as a CBOR sequence: `encoder.encode(new CborItems(list))`. */
export class CborItems {
  constructor(readonly items: unknown[]) {}
}

addExtension({
  Class: CborItems,
  tag: undefined,
  encode(batch: CborItems, encode: (value: unknown) => void): void {
    for (let i = 0; i < batch.items.length; i++) encode(batch.items[i]);
  },
} as unknown as Parameters<typeof addExtension>[0]);
