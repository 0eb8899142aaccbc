/**
 * Runs a command-line tool of this package as a child process (through tsx, on the
 * TypeScript sources) and collects what it prints, for the tools' end-to-end tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** A running tool process and everything it printed so far. */
export interface Tool {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
  /** Resolves with the first stdout line matching `pattern` (including earlier lines). */
  line(pattern: RegExp): Promise<RegExpMatchArray>;
  /** The same for stderr. */
  errLine(pattern: RegExp): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

/** Kills the tools still running (for `afterEach`). */
export async function killTools(): Promise<void> {
  const left = [...running];
  for (const p of left) p.kill('SIGKILL');
  await Promise.all(left.map((p) => (p.exitCode === null && p.signalCode === null ? once(p, 'exit') : undefined)));
}

/** Collects a stream's lines and answers waits for a line matching a pattern. */
function lineCollector(stream: NodeJS.ReadableStream, exit: Promise<unknown>, describe: () => string): { lines: string[]; wait(p: RegExp): Promise<RegExpMatchArray> } {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0)) {
        const m = l.match(w.pattern);
        if (m) w.resolve(m);
        else waiters.push(w);
      }
    }
  });
  return {
    lines,
    wait: (pattern) => {
      for (const l of lines) {
        const m = l.match(pattern);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exit.then(() => reject(new Error(`exited without printing ${pattern}\n${describe()}`)));
      });
    },
  };
}

/**
 * Starts `packages/cli/src/<tool>.ts` with `args`.
 * @param stdin - text written to its stdin, which is then closed (default: stdin ignored)
 */
export function startTool(tool: string, args: string[], stdin?: string, env: NodeJS.ProcessEnv = {}): Tool {
  const file = join(__dirname, '..', `${tool}.ts`);
  const proc = spawn(process.execPath, ['--conditions=@broker-ts/source', '--require', require.resolve('tsx/cjs'), file, ...args], {
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  running.add(proc);
  if (stdin !== undefined) proc.stdin!.end(stdin);
  const exit = once(proc, 'exit').then(([code]) => {
    running.delete(proc);
    return code as number | null;
  });
  const describe = (): string => `${tool} ${args.join(' ')}\nstdout:\n${out.lines.join('\n')}\nstderr:\n${err.lines.join('\n')}`;
  const out = lineCollector(proc.stdout!, exit, describe);
  const err = lineCollector(proc.stderr!, exit, describe);
  return { proc, stdout: out.lines, stderr: err.lines, exit, line: out.wait, errLine: err.wait };
}

/** The port a tool printed in its `*** listening on <host>:<port>` line. */
export async function listeningPort(tool: Tool): Promise<number> {
  const [, port] = await tool.errLine(/^\*\*\* listening on [^ ]+:(\d+)$/);
  return Number(port);
}
