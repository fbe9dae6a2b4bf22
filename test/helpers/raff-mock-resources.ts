/**
 * The state behind the Raff mock (raff-mock-server.ts checks every exchange against the spec; this
 * decides the answers): VMs with a power state that moves through the documented transitions
 * (active -> finalizing -> passive, passive -> booting -> active) over a few GETs, snapshots that take a
 * few polls to capture, a restore refused unless the VM is passive, and a backups list.
 *
 * Snapshot statuses come in two styles, as Raff documents two: `spec` (the OpenAPI enum: `""` with an
 * empty size while capturing, then a size) and `guide` (creating -> ready / failed; these break the
 * spec's enum, so the server records them as violations, which tests of that style expect).
 */
type Json = Record<string, unknown>;

export interface ResourceOptions {
  vms: Json[];
  snapshots?: Json[];
  backups?: Json[];
  /** list or get calls a new snapshot stays capturing (default 2) */
  snapshotPolls?: number;
  snapshotStyle?: 'spec' | 'guide';
  /** what a capture ends in: ready (default), failed, or never (stays capturing) */
  snapshotOutcome?: 'ready' | 'failed' | 'never';
  /** GETs of a VM a power transition takes (default 2) */
  powerPolls?: number;
}

export interface ResourceState {
  vms: Json[];
  snapshots: Json[];
  backups: Json[];
  /** snapshot id -> polls left while capturing */
  capturing: Map<number, number>;
  /** vm id -> [target status, GETs left] */
  transitions: Map<string, [string, number]>;
  options: ResourceOptions;
}

export function newResourceState(options: ResourceOptions): ResourceState {
  return {
    vms: options.vms,
    snapshots: options.snapshots ?? [],
    backups: options.backups ?? [],
    capturing: new Map(),
    transitions: new Map(),
    options,
  };
}

type Answer = { status: number; body: Json } | undefined;
const notFound = (what: string) => ({
  status: 404,
  body: { error: 'Not Found', message: `${what} not found` },
});
const bad = (message: string) => ({ status: 400, body: { error: 'Bad Request', message } });
const ok = (message: string) => ({ status: 200, body: { success: true, message } });

function page(url: URL, all: Json[], defaultLimit: number): Json {
  const limit = Number(url.searchParams.get('limit') ?? defaultLimit);
  const offset = Number(url.searchParams.get('offset') ?? 0);
  return { success: true, data: all.slice(offset, offset + limit), total: all.length };
}

/** One poll of a VM: a pending power transition comes one step closer. */
function pollVm(s: ResourceState, vm: Json): void {
  const t = s.transitions.get(vm.id as string);
  if (!t) return;
  if (--t[1] <= 0) {
    vm.status = t[0];
    s.transitions.delete(vm.id as string);
  }
}

/** One poll of a snapshot: a capture comes one step closer to its outcome. */
function pollSnapshot(s: ResourceState, snap: Json): void {
  const left = s.capturing.get(snap.id as number);
  if (left === undefined || s.options.snapshotOutcome === 'never') return;
  if (left > 1) return void s.capturing.set(snap.id as number, left - 1);
  s.capturing.delete(snap.id as number);
  const guide = s.options.snapshotStyle === 'guide';
  if (s.options.snapshotOutcome === 'failed') snap.status = guide ? 'failed' : '';
  else Object.assign(snap, { status: guide ? 'ready' : '', size: '2.41 GB' });
}

function power(s: ResourceState, vm: Json, action: string): Answer {
  const polls = s.options.powerPolls ?? 2;
  const move = (via: string, to: string) => {
    vm.status = via;
    s.transitions.set(vm.id as string, [to, polls]);
    return ok(`VM ${action} initiated`);
  };
  if (action === 'stop')
    return vm.status === 'active' ? move('finalizing', 'passive') : bad('VM is not active');
  if (action === 'start')
    return vm.status === 'passive' ? move('booting', 'active') : bad('VM is not passive');
  return move('booting', 'active');
}

function createSnapshot(s: ResourceState, body: Json): Answer {
  const vm = s.vms.find((v) => v.id === body.resource_id);
  if (!vm) return notFound('VM');
  if (vm.status !== 'active') return bad('VM must be active to take a snapshot');
  const id = 100 + s.snapshots.length + 1;
  const snap: Json = {
    id,
    type: 'vm',
    name: body.name,
    size: '',
    target_size: '80 GB',
    status: s.options.snapshotStyle === 'guide' ? 'creating' : '',
    product_vm: vm.id,
    project_id: vm.project_id,
    price_per_hour: '0.0010',
    created_at: new Date(Date.UTC(2026, 11, 1, 0, 0, id)).toISOString(),
  };
  s.snapshots.push(snap);
  s.capturing.set(id, s.options.snapshotPolls ?? 2);
  return { status: 201, body: { success: true, data: snap } };
}

function restoreSnapshot(s: ResourceState, snap: Json): Answer {
  const vm = s.vms.find((v) => v.id === snap.product_vm);
  if (!vm) return notFound('VM');
  if (vm.status !== 'passive') return bad('VM must be in passive state to restore a snapshot');
  for (const other of s.snapshots)
    if (other.product_vm === vm.id && other.status === 'active') other.status = '';
  snap.status = 'active';
  return ok('Snapshot restore initiated');
}

function snapshots(
  s: ResourceState,
  method: string,
  template: string,
  id: string,
  url: URL,
  body: string,
): Answer {
  if (template === '/api/v1/snapshots' && method === 'POST')
    return createSnapshot(s, JSON.parse(body) as Json);
  if (template === '/api/v1/snapshots') {
    const vmId = url.searchParams.get('vm_id');
    const type = url.searchParams.get('type');
    const all = s.snapshots.filter((x) => (!vmId || x.product_vm === vmId) && (!type || x.type === type));
    all.forEach((x) => pollSnapshot(s, x));
    return { status: 200, body: page(url, all, 50) };
  }
  const snap = s.snapshots.find((x) => String(x.id) === id);
  if (!snap) return notFound('Snapshot');
  if (template === '/api/v1/snapshots/{id}/restore') return restoreSnapshot(s, snap);
  if (method === 'DELETE') {
    if (snap.status === 'active') return bad('An active snapshot cannot be deleted');
    s.snapshots.splice(s.snapshots.indexOf(snap), 1);
    return ok('Snapshot deleted');
  }
  pollSnapshot(s, snap);
  return { status: 200, body: { success: true, data: snap } };
}

/** The answer for a stateful operation, or undefined when this module does not serve it. */
export function serveResource(
  s: ResourceState,
  method: string,
  template: string,
  params: string[],
  url: URL,
  body: string,
): Answer {
  if (template.startsWith('/api/v1/snapshots'))
    return snapshots(s, method, template, params[0] ?? '', url, body);
  if (template === '/api/v1/backups' && method === 'GET') {
    const vmId = url.searchParams.get('vm_id');
    return {
      status: 200,
      body: page(
        url,
        s.backups.filter((b) => !vmId || b.product_vm === vmId),
        50,
      ),
    };
  }
  const action = /^\/api\/v1\/vms\/\{id\}(?:\/(start|stop|reboot|reboot-hard))?$/.exec(template);
  if (!action || (method !== 'GET' && !action[1]) || (method === 'GET' && action[1])) return undefined;
  const vm = s.vms.find((v) => v.id === params[0]);
  if (!vm) return notFound('VM');
  if (action[1]) return power(s, vm, action[1]);
  pollVm(s, vm);
  return { status: 200, body: { success: true, data: vm } };
}
