import { main } from './demo';

test('the demo runs through every section and exits 0', () => {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.join(' ')); });
  try {
    expect(main()).toBe(0);
  } finally {
    spy.mockRestore();
  }
  const out = lines.join('\n');
  expect(out).toContain('subnet     192.168.1.0/24');
  expect(out).toContain('5  <  -1  <  2.500000');
  expect(out).toContain('<- (1, 1, (event_1, (42, test)))');
  expect(out).toContain('malformed JSON: invalid_json (41)');
});
