import { describe, expect, it } from 'vitest';
import { detectContainer, detectJson, isDocumentationName } from './detect-feed.js';

const bytes = (s: string | number[]) =>
  typeof s === 'string' ? new TextEncoder().encode(s) : Uint8Array.from(s);

describe('detectContainer', () => {
  it.each([
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0], 'zip'],
    ['empty zip', [0x50, 0x4b, 0x05, 0x06, 0], 'zip'],
    ['gzip', [0x1f, 0x8b, 8, 0], 'gzip'],
    ['JSON object with BOM and blanks', '\uFEFF \n {"a":1}', 'json'],
    ['EPSS with model line', '#model_version:v1,score_date:x\ncve,epss,percentile\n', 'csv-epss'],
    ['EPSS without model line', 'cve,epss,percentile\nCVE-1-1,0,0\n', 'csv-epss'],
    ['distro-info CSV', 'version,codename,series,created,release,eol,eol-lts,eol-elts\n', 'csv-eol'],
    ['other CSV', 'a,b,c\n1,2,3\n', 'unknown'],
    ['text', '# README\n', 'unknown'],
  ])('%s', (_n, input, expected) => {
    expect(detectContainer(bytes(input))).toBe(expected);
  });
});

describe('detectJson', () => {
  it.each([
    ['KEV', { catalogVersion: '1', dateReleased: 'x', vulnerabilities: [] }, 'kev'],
    ['OSV record', { id: 'DEBIAN-CVE-1', affected: [] }, 'osv-record'],
    ['OSV record with modified only', { id: 'X', modified: 'y' }, 'osv-record'],
    ['tracker', { '7zip': {}, nginx: { 'CVE-1': { releases: {} } } }, 'debian-tracker'],
    ['array', [], 'unknown'],
    ['other object', { name: 'x' }, 'unknown'],
  ])('%s', (_n, json, expected) => {
    expect(detectJson(json)).toBe(expected);
  });
});

describe('isDocumentationName', () => {
  it.each([
    ['README', true],
    ['ATTRIBUTION.md', true],
    ['LICENSE', true],
    ['known_exploited_vulnerabilities_schema.LICENSE', false],
    ['.hidden', true],
    ['all.zip', false],
    ['debian.csv', false],
  ])('%s -> %s', (name, expected) => {
    expect(isDocumentationName(name)).toBe(expected);
  });
});
