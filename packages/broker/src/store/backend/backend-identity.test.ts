import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { enumValue } from '@broker-ts/data';
import { errorCodeOf } from './__fixtures__/error-code-of';
import { backendIdentity } from './backend-identity';

describe('backendIdentity', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-identity-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('memory is memory whatever its options', () => {
    expect(backendIdentity('memory', {})).toEqual({ description: 'memory', file: null });
    expect(backendIdentity('memory', { path: '/x' })).toEqual(backendIdentity('memory', undefined));
  });

  test('two spellings of one SQLite file are the same backend, before and after the file exists', () => {
    fs.mkdirSync(path.join(dir, 'real'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    const a = backendIdentity('sqlite', { path: path.join(dir, 'real', 'x.sqlite') });
    const b = backendIdentity('sqlite', { path: path.join(dir, 'link', '.', 'x.sqlite') });
    expect(b).toEqual(a);
    fs.writeFileSync(path.join(dir, 'real', 'x.sqlite'), '');
    expect(backendIdentity('sqlite', { path: path.join(dir, 'link', 'x.sqlite') })).toEqual(a);
    expect(a.file).toBe(path.join(fs.realpathSync(dir), 'real', 'x.sqlite'));
    // Relative paths resolve against the working directory.
    expect(backendIdentity('sqlite', { path: path.relative(process.cwd(), path.join(dir, 'real', 'x.sqlite')) })).toEqual(a);
  });

  test('another path or another option is another backend', () => {
    const base = backendIdentity('sqlite', { path: path.join(dir, 'x.sqlite') });
    expect(backendIdentity('sqlite', { path: path.join(dir, 'y.sqlite') }).description).not.toBe(base.description);
    const full = backendIdentity('sqlite', { path: path.join(dir, 'x.sqlite'), synchronous: 'full' });
    expect(full.description).not.toBe(base.description); // explicit FULL is not "SQLite's default"
    expect(full.file).toBe(base.file);
    expect(backendIdentity('sqlite', { path: path.join(dir, 'x.sqlite'), synchronous: enumValue('Broker::SQLITE_SYNCHRONOUS_FULL') })).toEqual(full);
    const lmdb = backendIdentity('lmdb', { path: path.join(dir, 'x.sqlite') });
    expect(lmdb.description).toMatch(/^lmdb /);
    expect(lmdb.file).toBe(base.file);
    expect(backendIdentity('lmdb', { path: path.join(dir, 'x.sqlite'), noSync: true }).description).not.toBe(lmdb.description);
  });

  test('bad options and kinds fail as makeBackend fails', () => {
    expect(errorCodeOf(() => backendIdentity('sqlite', {}))).toBe('backend_failure');
    expect(errorCodeOf(() => backendIdentity('lmdb', { path: 1 }))).toBe('backend_failure');
    expect(errorCodeOf(() => backendIdentity('nosuch' as never, {}))).toBe('backend_failure');
    expect(errorCodeOf(() => backendIdentity('memory', 42 as never))).toBe('backend_failure');
  });
});
