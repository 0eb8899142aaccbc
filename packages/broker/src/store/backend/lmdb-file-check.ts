import * as fs from 'node:fs';
import { BrokerError } from '@broker-ts/data';

/** LMDB's magic number at the start of each meta page (`MDB_MAGIC`). */
const MDB_MAGIC = 0xbeefc0de;
/** Page flag of a meta page (`P_META`). */
const P_META = 0x08;
/**
 * Where the page flags and the meta record's magic and version sit in the first page.
 * LMDB 0.9 pages start with an 8-byte page number, 2-byte pad, 2-byte flags and 4 bytes
 * of bounds; the LMDB 1.0 format that lmdb-js ships adds an 8-byte transaction id after
 * the page number.
 */
const LAYOUTS = [
  { flags: 18, magic: 24, version: 28 },
  { flags: 10, magic: 16, version: 20 },
];
const HEADER_BYTES = 32;

/**
 * Checks that an existing LMDB data file starts with an LMDB meta page, before the
 * native library maps it: LMDB trusts its file and a file of garbage crashes the whole
 * process (SIGSEGV) instead of failing. A missing or empty file passes (LMDB creates it).
 * @param file - path of `data.mdb`
 * @throws BrokerError `cannot_open_file` when the file is unreadable or not an LMDB file
 */
export function checkLmdbFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new BrokerError('cannot_open_file', `cannot open LMDB file ${file}: ${(err as Error).message}`, {}, { cause: err });
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    const ok =
      read === HEADER_BYTES &&
      LAYOUTS.some(
        (at) =>
          (header.readUInt16LE(at.flags) & P_META) !== 0 &&
          header.readUInt32LE(at.magic) === MDB_MAGIC &&
          header.readUInt32LE(at.version) >= 1 &&
          header.readUInt32LE(at.version) <= 2,
      );
    if (!ok) throw new BrokerError('cannot_open_file', `not an LMDB database (bad meta page): ${file}`);
  } finally {
    fs.closeSync(fd);
  }
}
