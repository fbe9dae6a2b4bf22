import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.js';
import { validateKev } from './validate-kev.js';

const real = path.resolve(
  import.meta.dirname,
  '../../../feeds/snapshot/known_exploited_vulnerabilities.json',
);
type Catalog = { dateReleased?: string; vulnerabilities: Record<string, unknown>[] };
const catalog = () => JSON.parse(fs.readFileSync(real, 'utf8')) as Catalog;

describe('validateKev (CISA schema)', () => {
  it('accepts the real catalog', () => {
    expect(validateKev(catalog(), 'kev.json').vulnerabilities).toHaveLength(1404);
  });

  it.each([
    [
      'a bad CVE id',
      (c: Catalog) => (c.vulnerabilities[0]!.cveID = 'CVE-1'),
      /record vulnerabilities\[0\] \(CVE-1\): field cveID: must match pattern/,
    ],
    [
      'a missing field',
      (c: Catalog) => delete c.vulnerabilities[2]!.requiredAction,
      /record vulnerabilities\[2\] \(CVE-[\d-]+\): field requiredAction: must have required property/,
    ],
    [
      'a bad date',
      (c: Catalog) => (c.vulnerabilities[5]!.dateAdded = '2024-13-45'),
      /field dateAdded: must match format "date"/,
    ],
    [
      'no dateReleased',
      (c: Catalog) => delete c.dateReleased,
      /KEV catalog: field dateReleased: must have required property/,
    ],
  ])('rejects %s naming record and field', (_n, breakIt, message) => {
    const c = catalog();
    breakIt(c);
    expect(() => validateKev(c, 'kev.json')).toThrow(UserError);
    expect(() => validateKev(c, 'kev.json')).toThrow(message);
  });
});
