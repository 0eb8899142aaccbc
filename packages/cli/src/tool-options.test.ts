import { endpointOptionsFrom, parseCommand, runParsed } from './tool-options';
import { brokerNodeCommand } from './broker-node';
import { brokerPipeCommand } from './broker-pipe';
import type { ToolOutput } from './tool-output';

const quiet: ToolOutput = { out: () => undefined, err: () => undefined };

const TLS_ARGS = ['--broker.ssl.certificate=c.pem', '--broker.ssl.key', 'k.pem', '--broker.ssl.passphrase=secret', '--broker.ssl.cafile', 'ca.pem', '--broker.ssl.capath=cadir'];
const SSL = { certificate: 'c.pem', key: 'k.pem', passphrase: 'secret', cafile: 'ca.pem', capath: 'cadir' };

describe("the endpoint options of broker-node and broker-pipe (Broker's names)", () => {
  it.each([
    ['broker-node', brokerNodeCommand, ['-t', '/a']],
    ['broker-pipe', brokerPipeCommand, ['-m', 'subscribe', '-t', '/a']],
  ])('%s passes --disable-ssl and every --broker.ssl.* option to the endpoint', (_, command, base) => {
    const parse = (args: string[]) => endpointOptionsFrom(parseCommand(command(), [...base, ...args], quiet), 'n');
    expect(parse(TLS_ARGS)).toEqual({ name: 'n', ssl: SSL });
    expect(parse(['--disable-ssl'])).toEqual({ name: 'n', disableSsl: true });
    expect(parse([])).toEqual({ name: 'n' });
  });

  it('broker-node takes --endpoint-id as Broker does; broker-pipe does not (nor does Broker\'s)', () => {
    const id = '00000000-0000-4000-8000-0000000000e1';
    expect(endpointOptionsFrom(parseCommand(brokerNodeCommand(), ['-t', '/a', `--endpoint-id=${id}`], quiet), 'n')).toEqual({ name: 'n', endpointId: id });
    expect(() => parseCommand(brokerPipeCommand(), ['-m', 'subscribe', '-t', '/a', `--endpoint-id=${id}`], quiet)).toThrow(/unknown option/);
  });

  it.each([
    ['broker-node', brokerNodeCommand, ['-t', '/a']],
    ['broker-pipe', brokerPipeCommand, ['-m', 'subscribe', '-t', '/a']],
  ])('%s refuses an empty --metrics-address or --web-socket-address as a bad command line (exit 2), before anything runs', async (tool, command, base) => {
    for (const option of ['--metrics-address', '--web-socket-address']) {
      const err: string[] = [];
      let ran = false;
      const status = await runParsed(command(), [...base, option, ''], { out: () => undefined, err: (l) => err.push(l) }, async () => {
        ran = true;
        return 0;
      });
      expect(status).toBe(2);
      expect(ran).toBe(false);
      expect(err).toEqual([`error: option '${option} <host>' argument '' is invalid. expected a host name or address, got ""`, `(run ${tool} --help for the options)`]);
    }
  });
});
