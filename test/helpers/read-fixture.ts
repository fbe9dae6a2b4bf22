import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

/** Reads `test/fixtures/<topic>/<name>` as UTF-8 (for unit tests in src/core, which may not import node:fs). */
export function readFixture(topic: string, name: string): string {
  return fs.readFileSync(path.join(ROOT, 'test', 'fixtures', topic, name), 'utf8');
}
