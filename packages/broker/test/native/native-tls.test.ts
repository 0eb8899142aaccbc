/**
 * Verified TLS with Broker's semantics, between two broker-ts ends: every combination of
 * Broker's tests/python/ssl-tests.py that must connect does, every one that must fail
 * fails on the connecting side before the peering is established.
 */
import { BrokerError } from '@broker-ts/broker';
import { type NativeTransportSettings, nativeTransport } from '../../src/native/tls-options';
import { makeTestCertificates, type TestCertificates } from '../../../../tools/test-certificates';
import { closeNative, connectNative, listenNative, outcome } from './native-helpers';

const SMALL = '00000000-0000-4000-8000-0000000000b1';
const LARGE = 'ffffffff-ffff-4fff-bfff-ffffffffffb1';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs.remove());

type Settings = (c: TestCertificates) => NativeTransportSettings;
const withCa: Settings = (c) => ({ ssl: { certificate: c.cert, key: c.key, cafile: c.ca } });
const withCaPassphrase: Settings = (c) => ({ ssl: { certificate: c.cert, key: c.encryptedKey, passphrase: c.passphrase, cafile: c.ca } });
const withCaPath: Settings = (c) => ({ ssl: { certificate: c.cert, key: c.key, capath: c.caDir } });
const selfSigned: Settings = (c) => ({ ssl: { certificate: c.selfSignedCert, key: c.selfSignedKey, cafile: c.selfSignedCert } });
const noAuth: Settings = () => ({});
const noSsl: Settings = () => ({ disableSsl: true });

async function attempt(server: Settings, client: Settings): Promise<{ ok: boolean; error?: BrokerError }> {
  const listener = await listenNative({ localId: SMALL, settings: server(certs) });
  const conn = connectNative(listener.port, { localId: LARGE, settings: client(certs), handshakeTimeoutMs: 5000 });
  const result = await outcome(conn);
  await closeNative(conn);
  await listener.close();
  return result.ok ? { ok: true } : { ok: false, error: result.error };
}

describe('verified TLS between native connections', () => {
  it.each([
    ['certificates signed by a common CA', withCa],
    ['a passphrase-protected key', withCaPassphrase],
    ['a CA directory (capath)', withCaPath],
    ['self-signed certificates trusted by both', selfSigned],
  ])('connects with %s', async (_, settings) => {
    expect(await attempt(settings, settings)).toEqual({ ok: true });
  });

  it.each([
    ['CA-signed server, self-signed client', withCa, selfSigned],
    ['self-signed server, CA-signed client', selfSigned, withCa],
    ['authenticated server, anonymous client', withCa, noAuth],
    ['anonymous server, authenticated client', noAuth, withCa],
    ['authenticated server, plain client', withCa, noSsl],
    ['plain server, authenticated client', noSsl, withCa],
  ])('fails before the peering for a %s', async (_, server, client) => {
    const result = await attempt(server, client);
    expect(result.ok).toBe(false);
    expect(result.error).toBeInstanceOf(BrokerError);
    // The TLS layer refuses (peer_unavailable), or a plain client sees the TLS server
    // hang up in the middle of the Broker handshake.
    expect(['peer_unavailable', 'peer_disconnect_during_handshake']).toContain(result.error?.code);
  });

  it('maps options to Broker\'s three transports', () => {
    expect(nativeTransport({ disableSsl: true })).toEqual({ mode: 'plain' });
    const anon = nativeTransport({});
    expect(anon.mode).toBe('anonymous');
    if (anon.mode !== 'plain') {
      expect(anon.client).toMatchObject({ ciphers: 'AECDH-AES256-SHA@SECLEVEL=0', ecdhCurve: 'P-384', maxVersion: 'TLSv1.2', rejectUnauthorized: false });
      expect(anon.server).toMatchObject({ ciphers: 'AECDH-AES256-SHA@SECLEVEL=0', ecdhCurve: 'P-384', maxVersion: 'TLSv1.2', requestCert: false });
    }
    const verified = nativeTransport(withCa(certs));
    expect(verified.mode).toBe('verified');
    if (verified.mode !== 'plain') {
      expect(verified.client).toMatchObject({ ciphers: 'HIGH:!aNULL:!MD5', minVersion: 'TLSv1.2', rejectUnauthorized: true });
      expect(verified.server).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    }
  });

  it('refuses unreadable files and malformed options with a BrokerError', () => {
    expect(() => nativeTransport({ ssl: { certificate: '/nonexistent/cert.pem' } })).toThrow(expect.objectContaining({ code: 'cannot_open_file' }));
    expect(() => nativeTransport({ ssl: { capath: '/nonexistent-dir' } })).toThrow(expect.objectContaining({ code: 'cannot_open_file' }));
    expect(() => nativeTransport({ disableSsl: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
    expect(() => nativeTransport({ ssl: { key: 42 as unknown as string } })).toThrow(expect.objectContaining({ code: 'invalid_data' }));
  });
});
