import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { UserError } from '../../core/errors.js';
import type { KevCatalog } from '../../core/intel/kev.js';
import schema from './schemas/known_exploited_vulnerabilities_schema.json' with { type: 'json' };

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

// strict off: CISA's schema carries non-standard annotation keywords (`url`).
const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
const validate = ajv.compile<KevCatalog>(schema);

/**
 * Validates a KEV catalog against CISA's own JSON schema (vendored in `schemas/`).
 * @throws UserError `feed-invalid-record` naming the file, the vulnerability (index and CVE) and the field.
 */
export function validateKev(json: unknown, where: string): KevCatalog {
  if (validate(json)) return json;
  const err = validate.errors?.[0];
  throw new UserError(
    'feed-invalid-record',
    `${where}: KEV catalog: ${describe(err, json)}.`,
    "The file does not follow CISA's KEV schema; download it again from https://www.cisa.gov/known-exploited-vulnerabilities-catalog.",
  );
}

function describe(err: ErrorObject | undefined, json: unknown): string {
  if (!err) return 'invalid';
  const parts = err.instancePath.split('/').slice(1);
  let record = '';
  let fieldParts = parts;
  if (parts[0] === 'vulnerabilities' && parts[1] !== undefined) {
    const i = Number(parts[1]);
    const v = (json as { vulnerabilities: unknown[] }).vulnerabilities[i] as { cveID?: unknown } | undefined;
    record = `record vulnerabilities[${i}]${typeof v?.cveID === 'string' ? ` (${v.cveID})` : ''}: `;
    fieldParts = parts.slice(2);
  }
  const missing =
    err.keyword === 'required' ? String((err.params as { missingProperty?: string }).missingProperty) : '';
  const field = [...fieldParts, ...(missing ? [missing] : [])].join('.') || '(document)';
  return `${record}field ${field}: ${err.message ?? 'invalid'}`;
}
