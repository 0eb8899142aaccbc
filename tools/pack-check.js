#!/usr/bin/env node
/**
 * Checks the packages as a user installs them: packs each workspace package with pnpm
 * (build first: `tsc -b`), checks that no packed declaration file carries an `@internal`
 * member (every package compiles with `stripInternal`), installs the tarballs with npm
 * into an empty folder outside the repository, then
 *   1. runs a one-file program against them as CommonJS (`require`) and as an ES module
 *      (`import`): two endpoints peer, a message goes from one to the other, a memory
 *      store answers;
 *   2. type-checks programs using the published declarations with `module: node16` and
 *      `module: nodenext`, `skipLibCheck: false`;
 *   3. runs the `bin` entries: `--help`, and a bad flag that must exit 2.
 * Prints one line per step and exits non-zero on the first failure.
 *
 * Install scripts are skipped (`--ignore-scripts`) unless PACK_CHECK_SCRIPTS=1: they only
 * compile better-sqlite3 from source (about 90 s), which these programs do not use.
 * Usage: node tools/pack-check.js [--keep]   (--keep leaves the temporary folder)
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const packages = ['data', 'actor', 'broker', 'cli'];
const keep = process.argv.includes('--keep');
const started = Date.now();

function step(what) {
  process.stdout.write(`pack-check: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function run(cmd, args, options = {}) {
  const env = { ...process.env, npm_config_nodedir: '/usr', npm_config_yes: 'true', BROKER_TS_LOG_LEVEL: 'error' };
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, ...options });
  if (r.status !== 0) {
    process.stderr.write(`pack-check: failed: ${cmd} ${args.join(' ')} (status ${r.status})\n${r.stdout ?? ''}${r.stderr ?? ''}\n`);
    throw new Error('step failed');
  }
  return r.stdout;
}

const CJS_PROGRAM = `'use strict';
const { Endpoint, count, toString } = require('@broker-ts/broker');
const { makeBenchmarkEvent } = require('@broker-ts/cli');
const data = require('@broker-ts/data');
async function main() {
  const a = new Endpoint({ name: 'a' });
  const b = new Endpoint({ name: 'b' });
  const port = await b.listen();
  const sub = b.makeSubscriber('/check');
  if (!(await a.peer('127.0.0.1', port))) throw new Error('no peering');
  a.publish('/check', [count(1), 'cjs', data.port(80, 'tcp')]);
  const [topic, value] = await sub.get({ timeout: 10000 });
  const store = await a.attachMaster('s', 'memory');
  await store.put('k', count(7));
  const got = await store.get('k');
  const event = makeBenchmarkEvent(1, 0);
  await Promise.all([a.shutdown(), b.shutdown()]);
  console.log('cjs', topic, toString(value), toString(got), Array.isArray(event));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

const ESM_PROGRAM = `import { Endpoint, count, toString } from '@broker-ts/broker';
import { serveMetrics } from '@broker-ts/cli';
import { encodeJson } from '@broker-ts/data';
const a = new Endpoint({ name: 'a' });
const b = new Endpoint({ name: 'b' });
const port = await b.listen();
const sub = b.makeSubscriber('/check');
if (!(await a.peer('127.0.0.1', port))) throw new Error('no peering');
a.publish('/check', [count(2), 'esm']);
const [topic, value] = await sub.get({ timeout: 10000 });
const metrics = await serveMetrics({ endpoint: b, port: 0 });
const text = await (await fetch(\`http://127.0.0.1:\${metrics.port}/metrics\`)).text();
await metrics.close();
await Promise.all([a.shutdown(), b.shutdown()]);
console.log('esm', topic, toString(value), encodeJson(count(2)), text.includes('broker_processed_messages_total{type="data"}'));
`;

/** Uses the published types from a CommonJS (`.cts`) and an ES module (`.mts`) file. */
const TYPES_PROGRAM = `import { Endpoint, count, type Data, type Store, BrokerError, type EndpointStats } from '@broker-ts/broker';
import { ActorSystem } from '@broker-ts/actor';
import { encodeBinary, decodeBinary, type DataInput, cborEncoderOptions } from '@broker-ts/data';
import { serveMetrics, type MetricsServer, brokerThroughputMain } from '@broker-ts/cli';
export async function use(): Promise<[Data, Store, MetricsServer, EndpointStats]> {
  const ep = new Endpoint({ name: 'types' });
  const input: DataInput = [count(1), 'x'];
  const value: Data = decodeBinary(encodeBinary(input));
  const store = await ep.attachMaster('s', 'memory');
  const server = await serveMetrics({ endpoint: ep, port: 0 });
  const error: BrokerError = new BrokerError('invalid_data', 'x');
  void error; void ActorSystem; void cborEncoderOptions.alwaysUseFloat; void brokerThroughputMain;
  return [value, store, server, await ep.stats()];
}
`;

/**
 * Unpacks a tarball and lists the `file:line` of every `@internal` tag in its `.d.ts`
 * files: each is a member that `stripInternal` should have left out of what users see.
 */
function internalDeclarations(tarball, into) {
  fs.mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', into]);
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.d.ts')) {
        fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
          if (line.includes('@internal')) found.push(`${path.relative(into, full)}:${i + 1}`);
        });
      }
    }
  };
  walk(into);
  return found;
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-pack-'));
  const tarballs = path.join(tmp, 'tarballs');
  const app = path.join(tmp, 'app');
  fs.mkdirSync(tarballs);
  fs.mkdirSync(app);
  try {
    for (const p of packages) {
      if (!fs.existsSync(path.join(root, 'packages', p, 'dist', 'index.js'))) throw new Error(`packages/${p}/dist is missing: run tsc -b first`);
      run('npx', ['--yes', 'pnpm@12.4.2', 'pack', '--pack-destination', tarballs], { cwd: path.join(root, 'packages', p) });
    }
    const files = fs.readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
    step(`packed ${files.join(', ')}`);
    for (const f of files) {
      const listing = execFileSync('tar', ['-tzf', path.join(tarballs, f)], { encoding: 'utf8' });
      const stray = listing.split('\n').filter((l) => /\.test\.ts$|__fixtures__|\.tsbuildinfo$/.test(l));
      if (stray.length > 0) throw new Error(`${f} ships test files: ${stray.join(', ')}`);
      const leaks = internalDeclarations(path.join(tarballs, f), path.join(tmp, 'unpacked', f));
      if (leaks.length > 0) throw new Error(`${f} declares @internal members:\n  ${leaks.join('\n  ')}`);
    }
    step('no packed declaration file carries an @internal member');
    const deps = Object.fromEntries(files.map((f) => [`@broker-ts/${f.replace(/^broker-ts-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`, `file:../tarballs/${f}`]));
    const typesNode = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies['@types/node'];
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check-app', private: true, dependencies: deps, devDependencies: { '@types/node': typesNode } }, null, 2));
    const scripts = process.env.PACK_CHECK_SCRIPTS === '1' ? [] : ['--ignore-scripts'];
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...scripts], { cwd: app });
    step(`installed with npm${scripts.length > 0 ? ' (install scripts skipped)' : ''}`);

    fs.writeFileSync(path.join(app, 'check.cjs'), CJS_PROGRAM);
    fs.writeFileSync(path.join(app, 'check.mjs'), ESM_PROGRAM);
    // Only the program's own last line counts (endpoint logs are not under test here).
    const lastLine = (out) => out.trim().split('\n').pop();
    const cjs = lastLine(run(process.execPath, ['check.cjs'], { cwd: app, timeout: 60_000 }));
    if (cjs !== 'cjs /check (1, cjs, 80/tcp) 7 true') throw new Error(`the CommonJS program printed: ${cjs}`);
    step(`require works: ${cjs}`);
    const esm = lastLine(run(process.execPath, ['check.mjs'], { cwd: app, timeout: 60_000 }));
    if (esm !== 'esm /check (2, esm) {"@data-type":"count","data":2} true') throw new Error(`the ES module program printed: ${esm}`);
    step(`import works: ${esm}`);

    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    fs.writeFileSync(path.join(app, 'types.cts'), TYPES_PROGRAM);
    fs.writeFileSync(path.join(app, 'types.mts'), TYPES_PROGRAM);
    for (const mode of ['node16', 'nodenext']) {
      run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', mode, '--moduleResolution', mode, '--target', 'es2022', '--types', 'node', 'types.cts', 'types.mts'], { cwd: app });
      step(`the declarations compile with module ${mode}, skipLibCheck false`);
    }

    const bin = (name) => path.join(app, 'node_modules', '.bin', name);
    for (const name of ['broker-node', 'broker-pipe', 'broker-throughput']) {
      const help = run(bin(name), ['--help'], { cwd: app, timeout: 30_000 });
      if (!/usage/i.test(help)) throw new Error(`${name} --help printed no usage:\n${help}`);
    }
    step('bin entries run (--help)');
    const pipe = spawnSync(bin('broker-pipe'), ['-m', 'publish', '-t', '/check', '--bogus'], { encoding: 'utf8', timeout: 30_000 });
    if (pipe.status !== 2) throw new Error(`broker-pipe with a bad flag exited ${pipe.status}:\n${pipe.stderr}`);
    step('a bad flag exits 2');
    step('all good');
  } finally {
    if (keep) step(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`pack-check: ${error.message}\n`);
  process.exit(1);
}
