/**
 * The WebSocket client in a real browser: the example page, bundled by esbuild for the
 * browser (no Node module may be reached), runs in headless Chromium against a broker-ts
 * endpoint, says hello with a Zeek event and shows live Zeek events with type-exact
 * arguments of all 15 types.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { count, Endpoint, parseZeekMessage, toString, typeOf, zeekEvent } from '@broker-ts/broker';
import { chromium } from 'playwright-core';
import { buildExample } from '../../examples/web-socket-browser/build';
import { ALL_TYPES } from './all-types';
import { CHROMIUM, chromium as chromiumRequirement } from '../../../../tools/requirements';

jest.setTimeout(300_000);

const headlessChromium = chromiumRequirement();

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function serveDir(dir: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const name = path.basename((req.url ?? '/').split('?')[0]);
    const file = path.join(dir, name);
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': name.endsWith('.html') ? 'text/html' : 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

test('the browser bundle reaches no Node module', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'ws-bundle-'));
  try {
    const meta = await buildExample(out);
    // What ends up in the bundle (esbuild parses more, and tree-shakes it away).
    const [output] = Object.values(meta.outputs);
    const inputs = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
    expect(inputs.some((i) => i.includes('websocket/web-socket-client.ts'))).toBe(true);
    expect(Object.keys(meta.inputs).filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('node:') || /\/(ws|pino|cbor-x)\//.test(i) || /encode-binary|decode-binary|web-socket-server|connect-web-socket/.test(i))).toEqual([]);
    expect(readFileSync(path.join(out, 'main.js'), 'utf8')).not.toMatch(/require\(/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

headlessChromium.test('the example page in headless Chromium subscribes, publishes a Zeek event and shows live events type-exact', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'ws-page-'));
  const profile = mkdtempSync(path.join(tmpdir(), 'ws-chromium-'));
  const ep = new Endpoint({ name: 'browser-server' });
  let http: Server | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    await buildExample(out);
    const served = await serveDir(out);
    http = served.server;
    const wsPort = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: true });
    const hello = ep.makeSubscriber('/zeek/events/browser');
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${served.port}/index.html?url=${encodeURIComponent(`ws://127.0.0.1:${wsPort}/v1/messages/json`)}&topic=/zeek/events`);
    const [, helloValue] = (await hello.get({ timeout: 60_000 }))!;
    expect(parseZeekMessage(helloValue)).toEqual({ kind: 'event', name: 'browser::hello', args: [count(1), 'chromium'] });
    const args = ALL_TYPES.map(([, v]) => v);
    ep.publish('/zeek/events/demo', zeekEvent('demo::all_types', args));
    const li = page.locator('li').first();
    await li.waitFor({ timeout: 60_000 });
    expect(await li.locator('.topic').textContent()).toBe('/zeek/events/demo');
    expect(await li.textContent()).toBe(`/zeek/events/demodemo::all_types(${args.map((a) => toString(a)).join(', ')})`);
    expect(await li.getAttribute('data-types')).toBe(args.map((a) => typeOf(a)).join(','));
    expect(await page.locator('#state').textContent()).toBe(`subscribed to /zeek/events at ${ep.id}`);
    expect(pageErrors).toEqual([]);
  } finally {
    await browser?.close();
    await ep.shutdown();
    await new Promise((r) => (http === undefined ? r(undefined) : http.close(r)));
    rmSync(out, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});
