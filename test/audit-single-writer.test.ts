import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const WRITER = 'src/adapters/store/audit-log.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('the audit log has one writer', () => {
  it(`nothing in src inserts into decision_log but ${WRITER} (an unchained row would fail audit verify)`, () => {
    const writes = /insertInto\(\s*['"`]decision_log['"`]|insert\s+into\s+["`]?decision_log/i;
    const offenders = sources(path.join(ROOT, 'src'))
      .map((f) => path.relative(ROOT, f))
      .filter((f) => f !== WRITER && writes.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, WRITER), 'utf8')).toMatch(writes);
  });
});
