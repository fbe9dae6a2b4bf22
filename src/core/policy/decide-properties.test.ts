import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deferral, finding, host, NOW, RAPID_RESET_KEV } from '../../../test/decide-fixtures.js';
import type { Finding } from '../findings/finding.js';
import { EXPOSURES, type Host } from '../inventory/host.js';
import { actionRank } from './actions.js';
import { chooseAction, choiceKey } from './choose-action.js';
import { decideFinding, type DecideContext } from './decide-finding.js';
import { deferralCoversHost } from './deferral.js';
import { hostFacts, riskFactsOnHost } from './facts.js';
import { prepareHost } from './prepare-host.js';
import { PolicySchema } from './policy-schema.js';
import { rollupHost } from './rollup-host.js';

const policy = PolicySchema.parse({ compatibilityRisks: [{ package: 'postgresql*', reason: 'format' }] });
const ctx: DecideContext = { policy, now: NOW };

const arbFinding: fc.Arbitrary<Finding> = fc
  .record({
    package: fc.constantFrom('nginx', 'linux', 'openssl', 'postgresql-15', 'libxml2', 'glibc', 'curl'),
    fixed: fc.boolean(),
    cvss: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: undefined }),
    urgency: fc.option(fc.constantFrom('low', 'medium', 'high', 'critical', 'unimportant'), {
      nil: undefined,
    }),
    epss: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  })
  .map((r) =>
    finding({
      package: r.package,
      binaries: [r.package],
      fixedVersion: r.fixed ? '1.22.1-9+deb12u11' : null,
      ...(r.cvss !== undefined ? { cvss: { version: '3.1', vector: '', score: r.cvss } } : {}),
      ...(r.urgency ? { urgency: r.urgency } : {}),
      ...(r.epss !== undefined ? { epss: { cve: 'CVE-2023-44487', score: r.epss, percentile: 0.5 } } : {}),
    }),
  );

const arbHost: fc.Arbitrary<Host> = fc
  .record({
    tier: fc.option(fc.constantFrom(1, 2, 3, 4) as fc.Arbitrary<1 | 2 | 3 | 4>, { nil: undefined }),
    exposure: fc.option(fc.constantFrom(...EXPOSURES), { nil: undefined }),
    environment: fc.option(fc.constantFrom('production', 'staging', 'development'), { nil: undefined }),
    owner: fc.option(fc.constant('alice'), { nil: undefined }),
  })
  .map((r) => host(r));

const arbKev = fc.record({
  dueDate: fc.constantFrom('2023-10-31', '2026-11-28', '2026-12-04', '2027-03-01'),
  dateAdded: fc.constantFrom('2023-10-10', '2026-11-20'),
});

describe('decideFinding properties', () => {
  it('is a pure function: same inputs, same output', () => {
    fc.assert(
      fc.property(arbFinding, arbHost, (f, h) => {
        expect(decideFinding(f, h, ctx)).toEqual(
          decideFinding(structuredClone(f), structuredClone(h), { ...ctx }),
        );
      }),
    );
  });

  it('adding a KEV entry never makes the action less urgent nor the due date later', () => {
    fc.assert(
      fc.property(arbFinding, arbHost, arbKev, (f, h, k) => {
        const without = decideFinding(f, h, ctx);
        const withKev = decideFinding({ ...f, kev: { ...RAPID_RESET_KEV, ...k } }, h, ctx);
        expect(actionRank(withKev.action)).toBeLessThanOrEqual(actionRank(without.action));
        expect(withKev.dueAt <= without.dueAt).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a deferral never hides a finding: it only changes its state', () => {
    const d1 = deferral();
    fc.assert(
      fc.property(fc.array(arbFinding, { minLength: 1, maxLength: 6 }), arbHost, (fs, h) => {
        const plain = fs.map((f) => decideFinding(f, h, ctx));
        const deferred = fs.map((f) => decideFinding(f, h, { ...ctx, deferrals: [d1] }));
        expect(deferred).toHaveLength(plain.length);
        deferred.forEach((d, i) => {
          const p = plain[i]!;
          const codes = d.reasonCodes.filter((c) => !c.startsWith('deferral:'));
          expect({
            ...d,
            state: p.state,
            deferral: undefined,
            reasons: p.reasons,
            reasonCodes: codes,
          }).toEqual({
            ...p,
            deferral: undefined,
          });
          expect(d.reasons.slice(0, p.reasons.length)).toEqual(p.reasons);
        });
        expect(rollupHost(h, deferred).findings).toBe(fs.length);
      }),
    );
  });

  it('findings with the same choice key get the same action choice on a host', () => {
    const policy = PolicySchema.parse({ compatibilityRisks: [{ package: 'postgresql-*', reason: 'r' }] });
    fc.assert(
      fc.property(fc.array(arbFinding, { minLength: 2, maxLength: 8 }), arbHost, (fs, h) => {
        const facts = hostFacts(h, policy);
        const byKey = new Map<number, ReturnType<typeof chooseAction>>();
        for (const f of fs) {
          const r = riskFactsOnHost(f, policy, policy.compatibilityRisks);
          const choice = chooseAction(facts, r, policy);
          const seen = byKey.get(choiceKey(r));
          if (seen) expect(choice).toEqual(seen);
          else byKey.set(choiceKey(r), choice);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a prepared host has exactly the deferrals that cover it, in order', () => {
    const arbDeferral = fc
      .record({
        hosts: fc.subarray(['web-1', 'db-1', 'vm-2', 'web-1']),
        selector: fc.option(
          fc.constantFrom('tier:1', 'environment:production', 'owner:alice', 'name:web-*'),
          {
            nil: undefined,
          },
        ),
      })
      .map((r) => deferral({ hosts: r.hosts, ...(r.selector ? { selector: r.selector } : {}) }));
    fc.assert(
      fc.property(
        fc.array(arbDeferral, { maxLength: 12 }),
        fc.array(arbHost, { minLength: 1, maxLength: 4 }),
        (ds, hs) => {
          const deferrals = ds.map((d, i) => ({ ...d, id: `D-${i}` }));
          for (const [i, h0] of hs.entries()) {
            const h = { ...h0, name: ['web-1', 'db-1', 'vm-2', 'web-9'][i % 4]! };
            expect(prepareHost(h, { ...ctx, deferrals }).deferrals).toEqual(
              deferrals.filter((d) => deferralCoversHost(d, h)),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
