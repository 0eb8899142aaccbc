/**
 * TLS on the WebSocket port, as Broker sets it up: anonymous TLS without credentials
 * (which only Broker-style clients speak), verified TLS with a certificate required from
 * both sides when credentials are given, and a browser-friendly variant that does not ask
 * clients for a certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { connectWebSocket, Endpoint } from '@broker-ts/broker';
import WebSocket from 'ws';

jest.setTimeout(60_000);

let dir: string;
let ep: Endpoint;

/** A CA and two certificates it signed (server and client), made with the openssl tool. */
function makePki(): { ca: string; cert: string; key: string; clientCert: string; clientKey: string } {
  const f = (n: string) => path.join(dir, n);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=test-ca');
  for (const who of ['server', 'client']) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`), '-subj', `/CN=${who}`);
    writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ossl('x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${who}.pem`), '-days', '2', '-extfile', f('ext.cnf'));
  }
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ws-tls-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  ep = new Endpoint({ name: 'wss' });
});
afterEach(() => ep.shutdown());

async function roundTrip(url: string, options: Parameters<typeof connectWebSocket>[1]): Promise<void> {
  const c = await connectWebSocket(url, options);
  try {
    ep.publish('/tls', 'secret');
    expect(await c.get({ timeout: 20_000 })).toEqual(['/tls', 'secret']);
  } finally {
    c.close();
  }
}

function plainConnectFails(url: string, options: WebSocket.ClientOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.close();
      resolve('opened');
    });
    ws.on('error', (e) => resolve(`error: ${e.message}`));
  });
}

test('without credentials the port speaks Broker\'s anonymous TLS; our client speaks it by default, a standard TLS client cannot', async () => {
  const p = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: false });
  await roundTrip(`wss://127.0.0.1:${p}/v1/messages/json`, { topics: ['/tls'] });
  expect(await plainConnectFails(`wss://127.0.0.1:${p}/v1/messages/json`, { rejectUnauthorized: false })).toMatch(/^error/);
  expect(await plainConnectFails(`ws://127.0.0.1:${p}/v1/messages/json`)).toMatch(/^error/);
});

test('with credentials TLS is verified and, as in Broker, a client certificate signed by the CA is required', async () => {
  const pki = makePki();
  const p = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: false, ssl: { certificate: pki.cert, key: pki.key, cafile: pki.ca } });
  const url = `wss://127.0.0.1:${p}/v1/messages/json`;
  await roundTrip(url, { topics: ['/tls'], ssl: { certificate: pki.clientCert, key: pki.clientKey, cafile: pki.ca } });
  // Trusting the server is not enough: without a client certificate the server refuses.
  await expect(connectWebSocket(url, { topics: ['/tls'], ssl: { cafile: pki.ca } })).rejects.toMatchObject({ code: 'peer_unavailable' });
  // A client that does not trust the CA refuses the server.
  await expect(connectWebSocket(url, { topics: ['/tls'], ssl: { certificate: pki.clientCert, key: pki.clientKey } })).rejects.toMatchObject({ code: 'peer_unavailable' });
});

test('with requireClientCertificate: false a browser-style client that only trusts the CA connects', async () => {
  const pki = makePki();
  const p = await ep.listenWebSocket('127.0.0.1', 0, { disableSsl: false, requireClientCertificate: false, ssl: { certificate: pki.cert, key: pki.key, cafile: pki.ca } });
  await roundTrip(`wss://127.0.0.1:${p}/v1/messages/json`, { topics: ['/tls'], ssl: { cafile: pki.ca } });
  expect(await plainConnectFails(`wss://localhost:${p}/v1/messages/json`, { ca: [readFileSync(pki.ca)] })).toBe('opened');
});

test('an unreadable credential file is refused with cannot_open_file', async () => {
  await expect(ep.listenWebSocket('127.0.0.1', 0, { disableSsl: false, ssl: { certificate: path.join(dir, 'missing.pem'), key: path.join(dir, 'missing.key') } })).rejects.toMatchObject({ code: 'cannot_open_file' });
});
