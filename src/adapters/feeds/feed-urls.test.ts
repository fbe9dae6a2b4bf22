import { describe, expect, it } from 'vitest';
import { OFFICIAL_URLS, syncTargets } from './feed-urls.js';

describe('syncTargets', () => {
  it('lists the official URLs, OSV per ecosystem', () => {
    const t = syncTargets(['osv', 'kev', 'eol'], ['Debian:12', 'Rocky Linux:9'], {});
    expect(t.map((x) => [x.name, x.url])).toEqual([
      ['osv:Debian:12', 'https://osv-vulnerabilities.storage.googleapis.com/Debian:12/all.zip'],
      ['osv:Rocky Linux:9', 'https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux:9/all.zip'],
      ['kev', OFFICIAL_URLS.kev],
      ['eol:debian', OFFICIAL_URLS['eol:debian']],
      ['eol:ubuntu', OFFICIAL_URLS['eol:ubuntu']],
    ]);
  });

  it('applies overrides: an OSV base, one ecosystem, a single feed', () => {
    const t = syncTargets(['osv', 'epss'], ['Debian:12', 'Debian:11'], {
      osv: 'http://127.0.0.1:8080/osv/',
      'osv:Debian:11': 'http://127.0.0.1:8080/d11.zip',
      epss: 'http://127.0.0.1:8080/e.csv.gz',
    });
    expect(t.map((x) => x.url)).toEqual([
      'http://127.0.0.1:8080/osv/Debian:12/all.zip',
      'http://127.0.0.1:8080/d11.zip',
      'http://127.0.0.1:8080/e.csv.gz',
    ]);
  });
});
