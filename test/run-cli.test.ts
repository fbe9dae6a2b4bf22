import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNdjson, runCli, tempDir } from './helpers/cli.js';

const CONFIG = `hosts:
  - { name: web-1, tier: 3, exposure: internal, owner: team-web, tags: { role: web } }
  - { name: db-1, tier: 1, exposure: internal, owner: team-db, tags: { role: db } }
windows:
  - name: nightly
    schedule: "FREQ=DAILY"
    start: "02:00"
    duration: 3h
    cutoff: 45m
    timeZone: UTC
    owner: team-web
    scope: { tags: { role: web } }
`;

function setup() {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'patchwise.yaml'), CONFIG);
  const run = (args: string[]) => runCli(args, { cwd: dir, env: { PATCHWISE_HOME: path.join(dir, 'data') } });
  return { dir, run };
}

describe('patchwise run: usage errors exit 2', () => {
  const { run } = setup();
  it.each([
    [['run'], /--window NAME .* or --emergency/],
    [['run', '--window', 'nightly', '--emergency', '--reason', 'x'], /--window NAME/],
    [['run', '--emergency'], /needs its reason/],
    [['run', '--emergency', '--reason', 'x', '--packages', 'openssl'], /name=version/],
    [['run', '--emergency', '--reason', 'x', '--packages', 'a=1,;rm -rf /=2'], /name=version/],
    [['runs', 'show', 'R-nope'], /No run R-nope/],
    [['runs', 'resume', 'R-nope'], /No run R-nope/],
    [['runs', 'rollback', 'R-nope'], /No run R-nope/],
    [['run', '--window', 'nope'], /No window named nope/],
  ])('%j', (args, message) => {
    const r = run(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('refuses a window run outside its occurrence, pointing at --emergency', () => {
    const r = run(['run', '--window', 'nightly', '--now', '2026-12-12T12:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not open/);
    expect(r.stderr).toMatch(/--emergency/);
  });
});

describe('patchwise runs and windows ack', () => {
  it('lists no runs on a fresh store', () => {
    const { run } = setup();
    const r = run(['runs', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it("records the owner's acknowledgement once, and refuses anyone else", () => {
    const { run } = setup();
    const now = ['--now', '2026-12-12T01:00:00Z'];
    const ok = run(['windows', 'ack', 'nightly', '--by', 'team-web', '--json', ...now]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      event: 'acknowledged',
      occurrence: '2026-12-12T02:00:00Z',
    });
    expect(run(['windows', 'ack', 'nightly', '--by', 'team-web', ...now]).stdout).toMatch(
      /already acknowledged/,
    );
    const no = run(['windows', 'ack', 'nightly', '--by', 'mallory', ...now]);
    expect(no.code).toBe(2);
    expect(no.stderr).toMatch(/Only the window's owner/);
    const events = run(['windows', 'events', '--json']);
    expect(events.stdout).toMatch(/acknowledged/);
  });

  it('needs advisories to plan from', () => {
    const { run } = setup();
    const r = run(['run', '--emergency', '--reason', 'test']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no advisories/);
  });

  it('records an emergency run with exact packages over unscanned hosts as nothing to do, its id first', () => {
    const { run } = setup();
    const r = run(['run', '--emergency', '--reason', 'test', '--packages', 'openssl=3.0.2-1', '--json']);
    expect(r.stderr).toBe('');
    const out = parseNdjson(r.stdout);
    expect(out.header).toMatchObject({ format: 'patchwise.run', version: 1, kind: 'emergency' });
    expect(String(out.header.run)).toMatch(/^R-\d{8}T\d{6}[0-9a-f]{4}$/);
    expect(out.records.at(-1)).toMatchObject({ type: 'summary', state: 'finished', exitCode: 0 });
    expect(r.code).toBe(0);
    const list = JSON.parse(run(['runs', 'list', '--json']).stdout) as {
      id: string;
      kind: string;
      reason: string;
    }[];
    expect(list).toMatchObject([{ id: out.header.run, kind: 'emergency', reason: 'test' }]);
  });
});
