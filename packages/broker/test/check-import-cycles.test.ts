/**
 * tools/check-import-cycles.js, which CI runs before the tests: it must fail on a cycle
 * among a package's source files, count type-only imports only under `--types`, and let
 * an allowed cycle pass only when it is exactly the allowed set of files.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const script = path.join(__dirname, '..', '..', '..', 'tools', 'check-import-cycles.js');

/** Runs the check over a packages folder (the repository's when `dir` is undefined). */
function check(dir: string | undefined, ...flags: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...flags, ...(dir === undefined ? [] : [dir])], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

/** Writes `files` (package-relative path → text) under a fresh packages folder. */
function packages(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-cycles-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const fixture = (files: Record<string, string>): string => {
  const dir = packages(files);
  made.push(dir);
  return dir;
};

test('the packages of this repository have no import cycle, with and without type-only imports', () => {
  expect(check(undefined)).toEqual({ status: 0, stderr: '' });
  expect(check(undefined, '--types')).toEqual({ status: 0, stderr: '' });
});

test('a runtime cycle fails the check and names its files; test files do not count', () => {
  const dir = fixture({
    'p/src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'p/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    'p/src/c.ts': "export const c = 1;\n",
    'p/src/c.test.ts': "import { c } from './c';\nimport { a } from './a';\n",
  });
  const r = check(dir);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('import cycle in p/src (2 files):\n  a.ts\n  b.ts\n');
  expect(r.stderr).not.toContain('c.ts');
});

test('a cycle through a type-only import fails only under --types', () => {
  const dir = fixture({
    'p/src/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
    'p/src/b.ts': "import { type A } from './a';\nexport interface B { a?: A }\n",
  });
  expect(check(dir).status).toBe(0);
  const r = check(dir, '--types');
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('a.ts\n  b.ts');
});

test('a file importing itself is a cycle', () => {
  const r = check(fixture({ 'p/src/index.ts': "export * from './index';\n" }));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('import cycle in p/src (1 files):\n  index.ts');
});

test('an allowed cycle passes only while it is exactly the allowed files, under its own check', () => {
  // The actor's context and what it spawns: a type-only cycle allowed under --types.
  const ring = {
    'actor/src/actor-context.ts': "import type { Behavior } from './behavior';\nexport interface ActorContext { become(b: Behavior): void }\n",
    'actor/src/behavior.ts': "import type { Actor } from './actor';\nexport interface Behavior { spawn(a: Actor): void }\n",
    'actor/src/actor.ts': "import type { ActorSystemView } from './actor-system-view';\nexport interface Actor { system: ActorSystemView }\n",
    'actor/src/actor-system-view.ts': "import type { ActorContext } from './actor-context';\nexport interface ActorSystemView { context: ActorContext }\n",
  };
  expect(check(fixture(ring), '--types').status).toBe(0);
  // The same files importing each other at runtime are not allowed: the entry is for --types only.
  const runtime = check(fixture(Object.fromEntries(Object.entries(ring).map(([k, v]) => [k, v.replace('import type', 'import')]))));
  expect(runtime.status).toBe(1);
  const grown = check(fixture({ ...ring, 'actor/src/actor.ts': "import type { X } from './third';\nexport interface Actor { x: X }\n", 'actor/src/third.ts': "import type { ActorSystemView } from './actor-system-view';\nexport interface X { s: ActorSystemView }\n" }), '--types');
  expect(grown.status).toBe(1);
  expect(grown.stderr).toContain('actor-context.ts\n  actor-system-view.ts\n  actor.ts\n  behavior.ts\n  third.ts');
  // A part of it is not allowed either.
  const part = check(fixture({ 'actor/src/actor-context.ts': "import type { Behavior } from './behavior';\nexport interface ActorContext { b: Behavior }\n", 'actor/src/behavior.ts': "import type { ActorContext } from './actor-context';\nexport interface Behavior { c: ActorContext }\n" }), '--types');
  expect(part.status).toBe(1);
  // The same files in another package are not allowed.
  const elsewhere = check(fixture(Object.fromEntries(Object.entries(ring).map(([k, v]) => [k.replace(/^actor/, 'other'), v]))), '--types');
  expect(elsewhere.status).toBe(1);
});

test('the containers and toData no longer form a cycle: one coming back fails the check', () => {
  const trio = {
    'data/src/containers.ts': "import { toData } from './to-data';\nexport class BrokerSet { add(v: unknown) { return toData(v); } }\n",
    'data/src/natural-data.ts': "export const naturalConversion = (make: () => unknown) => (v: unknown) => (v instanceof Set ? make() : v);\n",
    'data/src/to-data.ts': "import { BrokerSet } from './containers';\nimport { naturalConversion } from './natural-data';\nexport const toData = naturalConversion(() => new BrokerSet());\n",
  };
  const r = check(fixture(trio));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('import cycle in data/src (2 files):\n  containers.ts\n  to-data.ts');
  const old = check(fixture({
    'data/src/broker-set.ts': "import { toData } from './to-data';\nexport class BrokerSet { add(v: unknown) { return toData(v); } }\n",
    'data/src/broker-table.ts': "import { toData } from './to-data';\nexport class BrokerTable { set(v: unknown) { return toData(v); } }\n",
    'data/src/to-data.ts': "import { BrokerSet } from './broker-set';\nimport { BrokerTable } from './broker-table';\nexport const toData = (v: unknown) => (v instanceof Set ? new BrokerSet() : new BrokerTable());\n",
  }));
  expect(old.status).toBe(1);
  expect(old.stderr).toContain('import cycle in data/src (3 files):\n  broker-set.ts\n  broker-table.ts\n  to-data.ts');
});

test('the error layout and enum_value no longer form a cycle: one coming back fails the check', () => {
  const pair = {
    'data/src/broker-error.ts': "import { EnumValue } from './enum-value';\nexport const e = () => EnumValue;\n",
    'data/src/enum-value.ts': "import { e } from './broker-error';\nexport const EnumValue = () => e;\n",
  };
  const r = check(fixture(pair));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('import cycle in data/src (2 files):\n  broker-error.ts\n  enum-value.ts');
});
