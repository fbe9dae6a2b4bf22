/** A KEV catalog entry, as far as deciding needs it. */
export interface KevEntry {
  cve: string;
  vendor: string;
  product: string;
  name: string;
  dateAdded: string;
  dueDate: string;
  knownRansomwareCampaignUse: 'Known' | 'Unknown';
  requiredAction?: string;
}

/** An EPSS score for one CVE. */
export interface EpssScore {
  cve: string;
  score: number;
  percentile: number;
}

/**
 * One vulnerable package on one host: the matcher's output and the decider's input. A finding
 * with `fixedVersion: null` has no fix yet.
 */
export interface Finding {
  host: string;
  os: string;
  /** Package as the advisory names it (source package on Debian). */
  package: string;
  /** Installed binary packages built from it. */
  binaries: string[];
  installedVersion: string;
  fixedVersion: string | null;
  vulnId: string;
  aliases: readonly string[];
  cves: readonly string[];
  cvss?: { version: string; vector: string; score: number };
  urgency?: string;
  kev?: KevEntry;
  epss?: EpssScore;
  /** True when the host's OS release is past its end of life (standard security support). */
  osEol?: boolean;
  /** Feeds that reported it. */
  sources: readonly string[];
}
