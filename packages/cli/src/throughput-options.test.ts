import { parseBenchmarkAddress, parseThroughputArgs, THROUGHPUT_USAGE, UsageError } from './throughput-options';

function usageError(argv: string[]): string {
  try {
    parseThroughputArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('broker-throughput options', () => {
  it('a client gets Broker 1.4 defaults: event type 1, one event per batch, one batch per second, port 9999', () => {
    expect(parseThroughputArgs(['zeek.example'])).toEqual({
      mode: 'client', host: 'zeek.example', port: 9999, verbose: false, disableSsl: false, eventType: 1, batchRate: 1, batchSize: 1,
      batchSizeIncreaseInterval: 0, batchSizeIncreaseAmount: 0, maxInFlight: undefined, numEvents: undefined, durationSeconds: undefined,
    });
  });

  it('reads every client option in short and long form', () => {
    expect(parseThroughputArgs(['-t', '2', '-r', '0', '-s', '100', '-i', '5', '-a', '10', '-f', '5000', '-n', '300', '--duration', '2.5', '--verbose', 'h:1234'])).toMatchObject({
      mode: 'client', host: 'h', port: 1234, verbose: true, eventType: 2, batchRate: 0, batchSize: 100,
      batchSizeIncreaseInterval: 5, batchSizeIncreaseAmount: 10, maxInFlight: 5000, numEvents: 300, durationSeconds: 2.5,
    });
    expect(parseThroughputArgs(['--event-type=3', '--batch-rate', '10', '--batch-size', '7', 'h'])).toMatchObject({ eventType: 3, batchRate: 10, batchSize: 7 });
  });

  it('a server listens on <interface>:<port>, port 0 meaning any, and takes -m', () => {
    expect(parseThroughputArgs(['--server', '127.0.0.1:0', '-m', '1000'])).toEqual({ mode: 'server', host: '127.0.0.1', port: 0, verbose: false, disableSsl: false, maxReceived: 1000 });
    expect(parseThroughputArgs(['--server', ':9998'])).toMatchObject({ host: '', port: 9998, maxReceived: undefined });
    expect(parseThroughputArgs(['--disable-ssl', '--server', '[::1]:5000'])).toMatchObject({ host: '::1', port: 5000, disableSsl: true });
  });

  it('addresses: host, host:, host:port, [v6]:port; bad ports and bare IPv6 are refused', () => {
    expect(parseBenchmarkAddress('h:', false)).toEqual({ host: 'h', port: 9999 });
    expect(parseBenchmarkAddress('[::1]', false)).toEqual({ host: '::1', port: 9999 });
    expect(() => parseBenchmarkAddress('h:0', false)).toThrow(/bad port "0"/);
    expect(() => parseBenchmarkAddress('h:65536', true)).toThrow(/bad port/);
    expect(() => parseBenchmarkAddress('h:12ab', true)).toThrow(/bad port/);
    expect(() => parseBenchmarkAddress('::1:80', false)).toThrow(/brackets/);
    expect(() => parseBenchmarkAddress(':80', false)).toThrow(/no host/);
  });

  it('--metrics-port takes a port (Zeek notation too) in both modes; a bad one is a usage error', () => {
    expect(parseThroughputArgs(['--metrics-port', '9101/tcp', 'h'])).toMatchObject({ mode: 'client', metricsPort: 9101 });
    expect(parseThroughputArgs(['--server', ':0', '--metrics-port', '0'])).toMatchObject({ mode: 'server', metricsPort: 0 });
    expect(usageError(['--metrics-port', '70000', 'h'])).toBe('--metrics-port: expected a port number 0..65535 or <number>/tcp, got "70000"');
  });

  it("--broker.ssl.* as Broker's tools take them, in both modes and both spellings; absent when none is given", () => {
    const ssl = { certificate: 'c.pem', key: 'k.pem', passphrase: 'secret', cafile: 'ca.pem', capath: 'cadir' };
    const args = ['--broker.ssl.certificate=c.pem', '--broker.ssl.key', 'k.pem', '--broker.ssl.passphrase=secret', '--broker.ssl.cafile', 'ca.pem', '--broker.ssl.capath=cadir'];
    expect(parseThroughputArgs([...args, 'h'])).toMatchObject({ mode: 'client', disableSsl: false, ssl });
    expect(parseThroughputArgs([...args, '--server', ':0'])).toMatchObject({ mode: 'server', ssl });
    expect(parseThroughputArgs(['--broker.ssl.cafile=ca.pem', 'h'])).toMatchObject({ ssl: { cafile: 'ca.pem' } });
    expect(parseThroughputArgs(['h'])).not.toHaveProperty('ssl');
    expect(THROUGHPUT_USAGE).toContain('--broker.ssl.capath DIR');
  });

  it('--help wins over everything else', () => {
    expect(parseThroughputArgs(['-h'])).toEqual({ mode: 'help' });
    expect(parseThroughputArgs(['--help', '-t', '9'])).toEqual({ mode: 'help' });
  });

  it('bad values are usage errors naming the option and the value', () => {
    expect(usageError(['-t', '4', 'h'])).toBe('--event-type must be 1, 2 or 3, got "4"');
    expect(usageError(['-t', '2.0', 'h'])).toMatch(/--event-type/);
    expect(usageError(['-s', '0', 'h'])).toBe('--batch-size must be an integer ≥ 1, got "0"');
    expect(usageError(['-s', '1.5', 'h'])).toMatch(/--batch-size/);
    expect(usageError(['-r', 'fast', 'h'])).toMatch(/--batch-rate must be a non-negative number, got "fast"/);
    expect(usageError(['-r', '', 'h'])).toMatch(/--batch-rate/);
    expect(usageError(['--duration', '0', 'h'])).toMatch(/--duration must be a positive number/);
    expect(usageError(['--server', '-m', '-5', 'h:1'])).toMatch(/max-received|-m/);
    expect(usageError(['-n', '1e400', 'h'])).toMatch(/--num-events/);
  });

  it('unknown options, missing values and wrong addresses are usage errors', () => {
    expect(usageError(['--bogus', 'h'])).toMatch(/bogus/);
    expect(usageError(['h', '-t'])).toMatch(/-t/);
    expect(usageError([])).toBe('missing <host>[:<port>] to connect to');
    expect(usageError(['--server'])).toBe('missing <interface>:<port> to listen on');
    expect(usageError(['a', 'b'])).toBe('one address expected, got "a" "b"');
  });

  it('options of the other mode are refused instead of ignored', () => {
    expect(usageError(['--server', ':1', '-t', '2'])).toBe('--event-type is a client option, not for --server');
    expect(usageError(['--server', ':1', '--duration', '3'])).toBe('--duration is a client option, not for --server');
    expect(usageError(['-m', '10', 'h'])).toBe('--max-received is a server option (use it with --server)');
  });
});
