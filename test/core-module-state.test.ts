import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

/**
 * Module-level containers in src/core, each with what bounds it. State that grows with a fleet (a line
 * table, a matcher's slots, shared decisions) belongs to an object the caller creates and drops
 * (DpkgQueryParser, PackageChecker, the index's MatchScratch, FleetDecider), so a long-running server does not grow.
 * A new entry here needs a bound, or a session object instead.
 */
const BOUNDED: Record<string, string> = {
  'advisories/parse-osv.ts:EVENT_KINDS': 'constant',
  'advisories/advisory-index.ts:ORDERS': 'one per version scheme (3)',
  'policy/prepare-host.ts:NO_DEFERRALS': 'constant, frozen by use',
  'policy/classify-package.ts:cache': 'cleared past 100,000',
  'policy/classify-package.ts:combinedCache': 'cleared past 100,000',
  'policy/time.ts:instantCache': 'per zone, each cleared past 50,000',
  'policy/time.ts:isoCache': 'cleared past 50,000',
  'policy/time.ts:localCache': 'per zone, each cleared past 50,000',
  'policy/time.ts:zones': 'one per IANA zone',
  'policy/deferral.ts:globCache': 'cleared past 512',
  'policy/deferral.ts:selectorCache': 'cleared past 512',
  'policy/rollback.ts:NONE': 'constant',
  'policy/rollback.ts:listsByMask': 'one per requirement mask (< 64)',
  'policy/rollback.ts:plans': 'one per (mask, gap) (< 256)',
  'policy/reasons.ts:RULE_BIT': 'constant',
  'policy/reasons.ts:TRIGGER_BIT': 'constant',
  'policy/rollup-host.ts:SERVICE_ALIASES': 'constant',
  'policy/facts.ts:normMemo': 'cleared past 1,000',
  'intel/cvss-score.ts:cache': 'cleared past its limit',
  'intel/cvss4.ts:MACRO_INFO': 'one per CVSS 4.0 macro vector (270)',
  'inventory/host-state.ts:sharedIds': 'a counter: holds no memory',
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('src/core keeps no growing module-level state', () => {
  it('lists every module-level container or variable with its bound', () => {
    const core = path.join(ROOT, 'src/core');
    const found: string[] = [];
    const decl =
      /^(?:export )?(?:(?:const) (\w+)(?::[^=]+)? = (?:new (?:Map|Set|WeakMap|Array)\b|\[)|let (\w+))/gm;
    for (const file of sources(core)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(decl)) {
        if (/^(?:export )?const \w+(?::[^=]+)? = new WeakMap/.test(m[0])) continue;
        // `NAMES = [...] as const`: enumerations, constants by this codebase's convention.
        if (m[1] && /^[A-Z0-9_]+$/.test(m[1]) && m[0].endsWith('[') && !/: \(/.test(m[0])) continue;
        found.push(`${path.relative(core, file)}:${m[1] ?? m[2]}`);
      }
    }
    const unbounded = found.filter((k) => !(k in BOUNDED));
    expect(
      unbounded,
      'module-level state in src/core: bound it, or move it into an object the caller owns',
    ).toEqual([]);
  });
});
