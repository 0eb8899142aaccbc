/**
 * What some broker tests need beyond a fresh machine with Node and npm, one requirement
 * each (see tools/test-requirement.ts: where one is missing its tests are skipped with
 * the reason in the summary; where `BROKER_TS_REQUIRE` names it, as `.ci/run` does for
 * those it installs, a missing one fails). Each function checks when a test file calls
 * it, so a file pays only for what it uses.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Requirement, requirement } from './test-requirement';
import { findReferenceBroker, type ReferenceBroker } from './reference-broker';

/** Debian's Python packages live in the system Python, not in a pyenv one that may come first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Debian's chromium, for the browser example. */
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's python3-websockets: a WebSocket client written with another stack than ours. */
export function python3Websockets(): Requirement {
  return requirement('python3-websockets', () =>
    spawnSync(SYSTEM_PYTHON, ['-c', 'import websockets'], { stdio: 'ignore' }).status === 0
      ? undefined
      : `${SYSTEM_PYTHON} cannot import websockets: install Debian's python3-websockets`,
  );
}

/** Debian's chromium, run headless; installed here when missing and this user is root. */
export function chromium(): Requirement {
  return requirement('chromium', () => {
    if (existsSync(CHROMIUM)) return undefined;
    if (process.getuid?.() !== 0) return `${CHROMIUM} is missing and only root can apt-get install chromium`;
    const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'ignore', timeout: 600_000 });
    return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing and apt-get install chromium failed (exit ${String(r.status)})`;
  });
}

/** Network namespaces (`ip netns`, as root on Linux), for partitions between test hosts. */
export function networkNamespaces(): Requirement {
  return requirement('netns', () => {
    if (process.platform !== 'linux') return 'network namespaces need Linux';
    if (process.getuid?.() !== 0) return 'network namespaces need root';
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    } catch {
      return 'iproute2 (`ip netns`) is not available';
    }
    return undefined;
  });
}

/**
 * The newest Broker built from source (docs/interop.md says how the tests find it). No
 * machine gets it from a package, so CI cannot require it.
 * @returns the requirement and, when met, where the build is
 */
export function newestBroker(): { req: Requirement; broker: ReferenceBroker | undefined } {
  const found = findReferenceBroker();
  const req = requirement('newest-broker', () => ('reason' in found ? found.reason : undefined));
  return { req, broker: 'broker' in found && req.outcome === 'run' ? found.broker : undefined };
}

/** The newest Broker's Python bindings, built with it. */
export function newestBrokerPython(broker: ReferenceBroker | undefined): Requirement {
  return requirement('newest-broker-python', () => {
    if (broker === undefined) return 'the newest Broker is not built here';
    return broker.python === undefined ? 'the newest Broker was built without its Python bindings (BROKER_NEWEST_PYTHON)' : undefined;
  });
}
