import { describe, expect, it } from 'vitest';
import { isKevCatalogShape, parseKev, type KevVulnerability } from './kev.js';

const v: KevVulnerability = {
  cveID: 'CVE-2023-44487',
  vendorProject: 'IETF',
  product: 'HTTP/2',
  vulnerabilityName: 'HTTP/2 Rapid Reset Attack Vulnerability',
  dateAdded: '2023-10-10',
  shortDescription: 'd',
  requiredAction:
    'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
  dueDate: '2023-10-31',
  knownRansomwareCampaignUse: 'Unknown',
};

describe('parseKev', () => {
  it.each([
    ['Known', 'Known'],
    ['Unknown', 'Unknown'],
    [undefined, 'Unknown'],
  ])('maps ransomware use %s to %s', (use, expected) => {
    const [e] = parseKev({
      catalogVersion: '1',
      dateReleased: 'x',
      count: 1,
      vulnerabilities: [{ ...v, knownRansomwareCampaignUse: use }],
    });
    expect(e).toEqual({
      cve: 'CVE-2023-44487',
      vendor: 'IETF',
      product: 'HTTP/2',
      name: 'HTTP/2 Rapid Reset Attack Vulnerability',
      dateAdded: '2023-10-10',
      dueDate: '2023-10-31',
      knownRansomwareCampaignUse: expected,
      requiredAction: v.requiredAction,
    });
  });

  it.each([
    [{ catalogVersion: '1', vulnerabilities: [] }, true],
    [{ vulnerabilities: [] }, false],
    [{ catalogVersion: '1', vulnerabilities: {} }, false],
    [null, false],
  ])('tells the catalog shape of %j: %s', (json, expected) => {
    expect(isKevCatalogShape(json)).toBe(expected);
  });
});
