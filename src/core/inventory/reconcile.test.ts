import { describe, expect, it } from 'vitest';
import { HostSchema, type Host } from './host.js';
import { reconcile } from './reconcile.js';

const h = (name: string, extra: Partial<Host> = {}): Host => HostSchema.parse({ name, ...extra });
const raff = (id: string) => ({ provider: { name: 'raff', id } });

describe('reconcile', () => {
  it('matches by provider id, then by name for hosts without a provider; reports unmanaged and gone', () => {
    const inventory = [
      h('web-1', raff('a')),
      h('renamed', raff('b')),
      h('handmade'),
      h('old', raff('z')),
      h('aws-1', { provider: { name: 'aws', id: 'i-1' } }),
    ];
    const listed = [
      h('web-1', raff('a')),
      h('db', raff('b')),
      h('handmade', raff('c')),
      h('forgotten', raff('d')),
    ];
    const r = reconcile(inventory, listed, 'raff');
    expect(r.matched.map((m) => [m.host.name, m.found.name, m.by])).toEqual([
      ['web-1', 'web-1', 'provider-id'],
      ['renamed', 'db', 'provider-id'],
      ['handmade', 'handmade', 'name'],
    ]);
    expect(r.unmanaged.map((x) => x.name)).toEqual(['forgotten']);
    expect(r.gone.map((x) => x.name)).toEqual(['old']);
  });

  it('only counts hosts of the named provider as gone', () => {
    const r = reconcile([h('a', raff('1')), h('b', { provider: { name: 'raff-eu', id: '2' } })], [], 'raff');
    expect(r.gone.map((x) => x.name)).toEqual(['a']);
  });

  it('a name match by a host with another provider is unmanaged, not matched', () => {
    const r = reconcile([h('web', { provider: { name: 'aws', id: 'i' } })], [h('web', raff('x'))], 'raff');
    expect(r.unmanaged).toHaveLength(1);
  });
});
