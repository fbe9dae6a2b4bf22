import type { Finding, KevEntry } from '../../src/core/findings/finding.js';

/** A minimal Finding for unit tests of ranking and summaries. */
export const baseFinding: Finding = {
  host: 'a',
  os: 'debian:12',
  package: 'p',
  binaries: ['p'],
  installedVersion: '1',
  fixedVersion: '2',
  vulnId: 'CVE-2024-0000',
  aliases: [],
  cves: ['CVE-2024-0000'],
  sources: ['osv:Debian:12'],
};

/** A KEV entry whose fields do not matter to the test. */
export const anyKev: KevEntry = {
  cve: 'x',
  vendor: '',
  product: '',
  name: '',
  dateAdded: '',
  dueDate: '',
  knownRansomwareCampaignUse: 'Unknown',
};

/** The base finding under another vulnerability id, with `extra` fields. */
export const findingOf = (vulnId: string, extra: Partial<Finding>): Finding => ({
  ...baseFinding,
  vulnId,
  cves: [vulnId],
  ...extra,
});
