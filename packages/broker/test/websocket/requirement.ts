/**
 * A local requirement check for tests that need something a fresh machine may lack
 * (a Debian package, a browser, a Broker build): the test runs when the requirement is
 * met, and is skipped with its reason printed otherwise, never silently.
 */

/**
 * Declares a test that needs a requirement.
 * @param missing - why the requirement is not met, or undefined when it is
 */
export function testWhen(missing: string | undefined, name: string, fn: () => Promise<void>, timeout?: number): void {
  if (missing === undefined) {
    test(name, fn, timeout);
    return;
  }
  console.log(`skipped "${name}": ${missing}`);
  test.skip(`${name} [needs: ${missing}]`, fn);
}
