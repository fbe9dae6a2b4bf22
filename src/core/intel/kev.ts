import type { KevEntry } from '../findings/finding.js';

/** One vulnerability of the CISA KEV catalog, as its JSON schema names the fields. */
export interface KevVulnerability {
  cveID: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  dueDate: string;
  knownRansomwareCampaignUse?: string;
  notes?: string;
  cwes?: string[];
}

/** The KEV catalog document (validated against CISA's schema by the feeds adapter before it gets here). */
export interface KevCatalog {
  title?: string;
  catalogVersion: string;
  dateReleased: string;
  count: number;
  vulnerabilities: KevVulnerability[];
}

/** True when `json` looks like a KEV catalog (content detection, not validation). */
export function isKevCatalogShape(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    'catalogVersion' in json &&
    Array.isArray((json as { vulnerabilities?: unknown }).vulnerabilities)
  );
}

/**
 * Maps a validated KEV catalog to {@link KevEntry} records. `knownRansomwareCampaignUse` is `Known` only
 * when the catalog says so; anything else (including absent) is `Unknown`, as CISA defines it.
 */
export function parseKev(catalog: KevCatalog): KevEntry[] {
  return catalog.vulnerabilities.map((v) => ({
    cve: v.cveID,
    vendor: v.vendorProject,
    product: v.product,
    name: v.vulnerabilityName,
    dateAdded: v.dateAdded,
    dueDate: v.dueDate,
    knownRansomwareCampaignUse: v.knownRansomwareCampaignUse === 'Known' ? 'Known' : 'Unknown',
    requiredAction: v.requiredAction,
  }));
}
