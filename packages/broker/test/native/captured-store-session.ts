/**
 * The store channel of the captured Broker session `store-commands.json` (a Python
 * clone of store "s" attached to a Python master; see ../fixtures/native/README.md):
 * every `internal_command` each side sent, in order, with its raw bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeInternalCommand, type EntityId, type InternalCommand } from '../../src/native/internal-command';
import { NativeFrameDecoder } from '../../src/native/native-frame-decoder';

/** One captured command. */
export interface CapturedCommand {
  cmd: InternalCommand;
  bytes: Buffer;
}

/** The captured store session. */
export interface CapturedStoreSession {
  /** The master's store entity. */
  master: EntityId;
  /** The clone's store entity. */
  clone: EntityId;
  /** What the clone sent on `s/<$>/data/master`. */
  cloneToMaster: CapturedCommand[];
  /** What the master sent on `s/<$>/data/clone`. */
  masterToClone: CapturedCommand[];
}

function commands(frames: string[]): CapturedCommand[] {
  const dec = new NativeFrameDecoder();
  const out: CapturedCommand[] = [];
  for (const frame of frames) {
    dec.push(Buffer.from(frame, 'hex'));
    for (let r = dec.next(); r !== undefined; r = dec.next()) {
      if (r.kind === 'handshake') {
        if (r.message.type === 'originator_ack' || r.message.type === 'responder_syn_ack') dec.mode = 'operation';
      } else if (r.kind === 'operation' && r.message.type === 'command') {
        const bytes = Buffer.from(r.message.payload);
        out.push({ cmd: decodeInternalCommand(bytes), bytes });
      } else if (r.kind === 'invalid') throw new Error(`captured frame does not decode: ${r.error.message}`);
    }
  }
  return out;
}

/** Reads the captured session (the fixture is committed; it must be there). */
export function capturedStoreSession(): CapturedStoreSession {
  const file = path.join(__dirname, '..', 'fixtures', 'native', 'store-commands.json');
  const fx = JSON.parse(fs.readFileSync(file, 'utf8')) as { connectorToAcceptor: string[]; acceptorToConnector: string[] };
  const cloneToMaster = commands(fx.connectorToAcceptor);
  const masterToClone = commands(fx.acceptorToConnector);
  return { master: masterToClone[0].cmd.sender, clone: cloneToMaster[0].cmd.sender, cloneToMaster, masterToClone };
}
