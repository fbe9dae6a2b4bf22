/**
 * A local stand-in for Raff's API on 127.0.0.1 that answers as the OpenAPI document says and checks
 * both sides against it: every request (path, method, X-API-Key, parameters, body) and every response
 * it sends (status documented, body matching the schema). Requests that break the spec get 400 (or 401
 * without a key) and are recorded in `violations`; a response that breaks it is recorded too, so a test
 * asserting `violations` is empty proves the exchange followed the spec.
 *
 * Spec: test/fixtures/raff/openapi.yaml (OpenAPI 3.0.3; `nullable` is converted for ajv).
 * 429 and 5xx are not declared on the list operation; they are answered with the spec's `Error` body
 * and `Retry-After`, as RAFF_API.md's "Rate limit" row documents.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { FIXTURES } from './cli.js';
import {
  newResourceState,
  serveResource,
  type ResourceOptions,
  type ResourceState,
} from './raff-mock-resources.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
type Json = Record<string, unknown>;

export const RAFF_SPEC_FILE = path.join(FIXTURES, 'raff/openapi.yaml');

/** OpenAPI 3.0 `nullable: true` -> JSON Schema `type: [T, "null"]`, recursively. */
export function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k] = convertNullable(v);
  if ((node as Json).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

/** A failure the mock should answer with. */
export type Fault = { status: 429; retryAfter?: string } | { status: 500 | 502 | 503 } | { status: 401 };

interface Operation {
  method: string;
  template: string;
  re: RegExp;
  op: Json;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  hadKey: boolean;
  projectHeader?: string;
  at: number;
  status: number;
}

/** The spec, loaded once per process and compiled for validation. */
class RaffSpec {
  readonly doc: Json;
  readonly ajv: Ajv;
  readonly operations: Operation[] = [];
  private cache = new Map<string, ValidateFunction>();

  constructor(file = RAFF_SPEC_FILE) {
    this.doc = convertNullable(parseYaml(fs.readFileSync(file, 'utf8'))) as Json;
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    this.ajv.addSchema({ ...this.doc, $id: 'raff' });
    for (const [template, item] of Object.entries(this.doc.paths as Json)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
      for (const [method, op] of Object.entries(item as Json))
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
          this.operations.push({ method: method.toUpperCase(), template, re, op: op as Json });
    }
  }

  /** Follows a local `$ref` (`#/components/...`) inside the spec. */
  deref<T = Json>(node: unknown): T {
    let n = node as Json;
    while (n && typeof n.$ref === 'string') {
      n = (n.$ref as string)
        .slice(2)
        .split('/')
        .reduce<Json>((acc, seg) => acc[seg.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, this.doc);
    }
    return n as T;
  }

  /** A validator for a schema inside the spec, compiled once; `$ref`s resolve against the spec. */
  validator(pointer: string, schema: unknown): ValidateFunction {
    let v = this.cache.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $id: `raff-${this.cache.size}`, ...(resolveRefs(schema) as Json) });
      this.cache.set(pointer, v);
    }
    return v;
  }
}

/** Points local refs at the spec document registered as `raff`. */
function resolveRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `raff${v}` : resolveRefs(v),
    ]),
  );
}

let sharedSpec: RaffSpec | undefined;

/** Options for {@link startRaffMock}. */
export interface RaffMockOptions extends ResourceOptions {
  apiKey: string;
  vms: Json[];
  /** most VMs per page the server sends, whatever limit was asked (real APIs cap pages too) */
  maxLimit?: number;
}

/**
 * A running mock: its URL, what it saw, what broke the spec, faults to answer next, and the state of
 * its VMs (power), snapshots and backups (see raff-mock-resources.ts).
 */
export interface RaffMock extends ResourceState {
  url: string;
  requests: RecordedRequest[];
  violations: string[];
  faults: Fault[];
  vms: Json[];
  close(): Promise<void>;
}

function coerce(value: string, schema: Json): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value))
    return Number(value);
  if (schema.type === 'boolean' && /^(true|false)$/.test(value)) return value === 'true';
  return value;
}

/** Checks a request against its operation; returns problems (empty when it follows the spec). */
function checkRequest(
  spec: RaffSpec,
  op: Operation,
  url: URL,
  headers: http.IncomingHttpHeaders,
  params: string[],
  body: string,
): string[] {
  const problems: string[] = [];
  const declared = ((op.op.parameters as unknown[]) ?? []).map((p) => spec.deref(p));
  const pathNames = [...op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  for (const p of declared) {
    const name = p.name as string;
    const raw =
      p.in === 'query'
        ? url.searchParams.get(name)
        : p.in === 'header'
          ? (headers[name.toLowerCase()] as string | undefined)
          : p.in === 'path'
            ? params[pathNames.indexOf(name)]
            : undefined;
    if (raw === undefined || raw === null) {
      if (p.required) problems.push(`missing required ${p.in} parameter ${name}`);
      continue;
    }
    const v = spec.validator(`${op.method} ${op.template} ${p.in} ${name}`, p.schema);
    if (!v(coerce(decodeURIComponent(raw), p.schema as Json)))
      problems.push(`${p.in} parameter ${name}=${raw}: ${spec.ajv.errorsText(v.errors)}`);
  }
  const known = new Set(declared.filter((p) => p.in === 'query').map((p) => p.name));
  for (const k of url.searchParams.keys())
    if (!known.has(k)) problems.push(`undeclared query parameter ${k}`);
  problems.push(...checkBody(spec, op, body));
  return problems;
}

/** The JSON body against the operation's requestBody (required, schema). */
function checkBody(spec: RaffSpec, op: Operation, body: string): string[] {
  const declared = op.op.requestBody ? spec.deref<Json>(op.op.requestBody) : undefined;
  if (!declared) return body ? ['a body was sent to an operation that takes none'] : [];
  if (!body) return declared.required ? ['missing required request body'] : [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return ['request body is not JSON'];
  }
  const schema = ((declared.content as Json)['application/json'] as Json | undefined)?.schema;
  const v = spec.validator(`${op.method} ${op.template} body`, schema);
  return v(parsed) ? [] : [`request body: ${spec.ajv.errorsText(v.errors)}`];
}

/** Starts the mock on 127.0.0.1 (a free port). */
export async function startRaffMock(options: RaffMockOptions): Promise<RaffMock> {
  const spec = (sharedSpec ??= new RaffSpec());
  const state = newResourceState(options);
  const mock: RaffMock = Object.assign(state, {
    url: '',
    requests: [] as RecordedRequest[],
    violations: [] as string[],
    faults: [] as Fault[],
    close: async () => undefined,
  });

  const send = (
    res: http.ServerResponse,
    op: Operation | undefined,
    status: number,
    body: Json,
    headers: Record<string, string> = {},
  ) => {
    const declared = op && ((op.op.responses as Json)[String(status)] ?? (op.op.responses as Json).default);
    const schema = declared
      ? (spec.deref<Json>(declared).content as Json | undefined)?.['application/json']
      : status === 429 || status >= 500 || status === 400
        ? { schema: { $ref: '#/components/schemas/Error' } }
        : undefined;
    if (!schema)
      mock.violations.push(`response ${status} is not documented for ${op?.method} ${op?.template}`);
    else {
      const v = spec.validator(`response ${op?.method} ${op?.template} ${status}`, (schema as Json).schema);
      if (!v(body))
        mock.violations.push(`response ${status} body breaks the spec: ${spec.ajv.errorsText(v.errors)}`);
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d));
    req.on('end', () => handle(req, res, text));
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hadKey = typeof req.headers['x-api-key'] === 'string' && req.headers['x-api-key'] !== '';
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      hadKey,
      projectHeader: req.headers['x-project-id'] as string | undefined,
      at: Date.now(),
      status: 0,
    };
    mock.requests.push(record);
    const reply = (
      op: Operation | undefined,
      status: number,
      body: Json,
      headers?: Record<string, string>,
    ) => {
      record.status = status;
      send(res, op, status, body, headers);
    };
    const match = spec.operations
      .map((op) => ({ op, m: op.method === req.method ? op.re.exec(url.pathname) : null }))
      .find((x) => x.m);
    if (!match) {
      mock.violations.push(`${req.method} ${url.pathname} is not in the spec`);
      return reply(undefined, 400, { error: 'Bad Request', message: 'unknown endpoint' });
    }
    const { op, m } = match;
    const security = (op.op.security ?? spec.doc.security) as unknown[];
    if (security.length && !hadKey) {
      mock.violations.push(`${req.method} ${url.pathname} without X-API-Key`);
      return reply(op, 401, { error: 'Unauthorized', message: 'API key required' });
    }
    if (security.length && req.headers['x-api-key'] !== options.apiKey)
      return reply(op, 401, { error: 'Unauthorized', message: 'Invalid API key' });
    const problems = checkRequest(spec, op, url, req.headers, m!.slice(1), body);
    if (problems.length) {
      mock.violations.push(...problems.map((p) => `${req.method} ${url.pathname}: ${p}`));
      return reply(undefined, 400, { error: 'Bad Request', message: problems.join('; ') });
    }
    const fault = mock.faults.shift();
    if (fault?.status === 429)
      return reply(
        op,
        429,
        { error: 'Too Many Requests', message: 'rate limit exceeded' },
        { 'retry-after': fault.retryAfter ?? '1', 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0' },
      );
    if (fault?.status === 401)
      return reply(op, 401, { error: 'Unauthorized', message: `Invalid API key ${options.apiKey}` });
    if (fault) return reply(op, fault.status, { error: 'Service Unavailable', message: 'try again later' });
    if (op.template === '/api/v1/vms' && op.method === 'GET') {
      const project = url.searchParams.get('project_id');
      const all = mock.vms.filter((v) => !project || v.project_id === project);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), options.maxLimit ?? Infinity);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      return reply(op, 200, { success: true, data: all.slice(offset, offset + limit), total: all.length });
    }
    const served = serveResource(state, op.method, op.template, m!.slice(1), url, body);
    if (served) return reply(op, served.status, served.body);
    mock.violations.push(`${op.method} ${op.template} is in the spec but not served by the mock`);
    return reply(undefined, 400, { error: 'Bad Request', message: 'not implemented by the mock' });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mock.close = () => new Promise((resolve) => server.close(() => resolve()));
  return mock;
}

const uuid = (n: number, salt: number) =>
  `${salt.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** `n` VMs shaped exactly as the spec's VM schema, with the given tags per index. */
export function makeVms(
  n: number,
  opts: { projectId: string; tags?: (i: number) => string[]; namePrefix?: string },
): Json[] {
  return Array.from({ length: n }, (_, i) => ({
    id: uuid(i + 1, 0xa1),
    name: `${opts.namePrefix ?? 'vm'}-${String(i + 1).padStart(3, '0')}`,
    status: 'active',
    cpu: 2,
    ram: 4,
    storage: 80,
    added_storage: 0,
    total_storage: 80,
    template_id: uuid(1, 0x7e),
    template_name: 'Debian',
    template_version: '12x64',
    price_per_hour: '0.027764',
    pricing_id: 3,
    billing_type: 'payg',
    backup_type: null,
    region: 'us-east',
    project_id: opts.projectId,
    public_ipv4_address: `198.51.100.${(i % 250) + 1}`,
    public_ipv6_address: null,
    private_ipv4_address: `10.10.0.${(i % 250) + 1}`,
    private_ipv6_address: null,
    tags: (opts.tags?.(i) ?? []).map((name, j) => ({
      id: uuid(i * 10 + j + 1, 0x7a),
      name,
      priority: j,
      created_at: '2026-05-01T10:00:00Z',
    })),
    active: true,
    created_at: `2026-0${(i % 9) + 1}-15T08:30:00Z`,
    updated_at: '2026-06-01T00:00:00Z',
  }));
}
