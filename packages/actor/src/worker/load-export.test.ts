import * as path from 'node:path';
import { loadExport } from './load-export';

const FIXTURE = path.join(__dirname, '../../test/fixtures/worker/plain-echo.js');

describe('loadExport', () => {
  test('returns a named export, or the module when there is no default', () => {
    expect(typeof loadExport(FIXTURE, 'plain')).toBe('function');
    expect(loadExport(FIXTURE)).toHaveProperty('plain');
  });

  test('fails with typed errors for relative paths, missing modules and missing exports', () => {
    expect(() => loadExport('relative.js')).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    expect(() => loadExport(path.join(__dirname, 'nope.js'))).toThrow(expect.objectContaining({ code: 'spawn_failed' }));
    expect(() => loadExport(FIXTURE, 'missing')).toThrow(expect.objectContaining({ code: 'spawn_failed' }));
  });
});
