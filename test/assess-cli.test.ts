import { parseNdjson } from './helpers/cli.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { decideFleetDir } from './decide-setup.js';

describe('patchwise assess: scan + match + decide for the fleet', () => {
  let cli: ReturnType<typeof decideFleetDir>['cli'];
  beforeAll(() => {
    ({ cli } = decideFleetDir());
  });

  it('ranks the fleet with each host rollup and gates CI with --fail-on', () => {
    const r = cli('assess', '--no-scan', '--limit', '5');
    expect(r.code, r.stderr).toBe(0);
    const [fleet = ''] = r.stdout.split('\n\n');
    const web = fleet.split('\n').find((l) => l.startsWith('web-1'));
    expect(web).toMatch(/web-1\s+1\s+internet\s+emergency\s/);
    expect(web).toContain('CVE-2023-44487 nginx');
    const build = fleet.split('\n').find((l) => l.startsWith('build-1'));
    expect(build).toContain('tier, exposure, owner');

    expect(cli('assess', '--no-scan', '--fail-on', 'emergency').code).toBe(1);
    const bad = cli('assess', '--no-scan', '--fail-on', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('One of: emergency');
  });

  it('--json --all streams every finding with its decision and the reasons, as NDJSON', () => {
    const r = cli('assess', '--no-scan', '--json', '--all');
    expect(r.code, r.stderr).toBe(0);
    type Line = {
      type: string;
      host: string;
      cves: string[];
      decision: { action: string; reasons: string[] };
    };
    const { header, records } = parseNdjson<Line>(r.stdout);
    expect(header).toMatchObject({ format: 'patchwise.assess', version: 2 });
    const findings = records.filter((x) => x.type === 'finding');
    const summaryLine = records.at(-1) as unknown as {
      type: string;
      findings: number;
      knownExploited: number;
      actions: Record<string, number>;
    };
    expect(summaryLine.type).toBe('summary');
    expect(findings).toHaveLength(summaryLine.findings);
    const out = { findings, summary: summaryLine };
    const kev = out.findings.find((f) => f.host === 'web-1' && f.cves.includes('CVE-2023-44487'));
    expect(kev?.decision?.action).toBe('emergency');
    expect(kev?.decision?.reasons.join(' ')).toContain('CISA KEV');
    expect(out.summary.knownExploited).toBeGreaterThanOrEqual(2);
    expect(out.summary.actions.emergency).toBeGreaterThan(0);
    // Without --all: the --limit most pressing, ranked.
    const top = parseNdjson<Line>(cli('assess', '--no-scan', '--json', '--limit', '3').stdout).records;
    expect(top.filter((x) => x.type === 'finding')).toHaveLength(3);
    expect(top.filter((x) => x.type === 'host').length).toBeGreaterThan(0);
  });
});
