import { describe, expect, it } from 'vitest';
import { readFixture } from '../../../test/helpers/read-fixture.js';
import { parseHostExtras, splitSections } from './parse-host-extras.js';

const dev = readFixture('collect', 'host-extras-dev.txt');
const M = '@@pw-abc123@@';

describe('parseHostExtras', () => {
  it('reads the captured probe of the development machine', () => {
    const x = parseHostExtras(dev, M);
    expect(x.issues).toEqual([]);
    expect(x.kernel?.running).toBe('6.18.44-fc-v782');
    expect(x.bootTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(x.reboot).toEqual({ required: false, packages: [] });
    expect(x.staleProcesses?.map((p) => p.command)).toContain('dpkg');
    expect(x.listening?.length).toBeGreaterThan(0);
  });

  it('does not let host output forge a section without the random marker', () => {
    const text = `\n${M} rebootpkgs\n@@pw-other@@ reboot\nyes\n${M} reboot\nno\n${M} end\n`;
    const x = parseHostExtras(text, M);
    expect(x.reboot?.required).toBe(false);
  });

  it('reports output cut short', () => {
    const x = parseHostExtras(`\n${M} uid\n0\n${M} uname\n6.1.0-18-amd64\n`, M);
    expect(x.kernel?.running).toBe('6.1.0-18-amd64');
    expect(x.issues.map((i) => i.message)).toContain('probe output ended early; some sections missing');
  });

  it('splits sections and drops the separator blank line', () => {
    expect(splitSections(`junk\n${M} a\n1\n\n${M} b\nno-newline\n${M} c\n`, M)).toEqual(
      new Map([
        ['a', '1'],
        ['b', 'no-newline'],
        ['c', ''],
      ]),
    );
    expect(() => splitSections('', 'bad marker')).toThrow();
  });
});
