/**
 * Test certificates made with the `openssl` command in a temporary directory, shaped
 * like Broker's tests/python/certs: a CA, a certificate signed by it (with a plain and
 * a passphrase-protected key), and a self-signed certificate.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Paths of the generated files. */
export interface TestCertificates {
  dir: string;
  ca: string;
  /**
   * A directory holding only the CA certificate (for `capath`), with the hashed name
   * OpenSSL looks it up by (`openssl rehash`), as Broker's `capath` needs.
   */
  caDir: string;
  cert: string;
  key: string;
  /** `key` encrypted with {@link TestCertificates.passphrase}. */
  encryptedKey: string;
  passphrase: string;
  selfSignedCert: string;
  selfSignedKey: string;
  /** Removes the directory. */
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Generates the certificates (EC P-256 keys, valid for a day).
 * @returns their paths
 */
export function makeTestCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-ts-certs-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=broker-ts test CA'], dir);
  openssl(['req', ...ec, '-keyout', 'key.1.pem', '-out', 'cert.1.csr', '-subj', '/CN=broker-ts test peer'], dir);
  openssl(['x509', '-req', '-in', 'cert.1.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert.1.pem', '-days', '1'], dir);
  openssl(['pkey', '-in', 'key.1.pem', '-aes256', '-passout', 'pass:12345', '-out', 'key.1.enc.pem'], dir);
  openssl(['req', '-x509', ...ec, '-keyout', 'key.self-signed.pem', '-out', 'cert.self-signed.pem', '-days', '1', '-subj', '/CN=broker-ts self-signed'], dir);
  const caDir = path.join(dir, 'cadir');
  fs.mkdirSync(caDir);
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(caDir, 'ca.pem'));
  openssl(['rehash', caDir], dir);
  const p = (f: string): string => path.join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    caDir,
    cert: p('cert.1.pem'),
    key: p('key.1.pem'),
    encryptedKey: p('key.1.enc.pem'),
    passphrase: '12345',
    selfSignedCert: p('cert.self-signed.pem'),
    selfSignedKey: p('key.self-signed.pem'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
