import { z } from 'zod';
import { OperationalError, UserError } from '../../../core/errors.js';

/** The fields of a Raff VM patchwise reads (the API returns more; they are kept but not relied on). */
export const RaffVmSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    status: z.string(),
    created_at: z.string(),
    project_id: z.string().optional(),
    public_ipv4_address: z.string().nullish(),
    private_ipv4_address: z.string().nullish(),
    template_name: z.string().nullish(),
    template_version: z.string().nullish(),
    tags: z.array(z.object({ name: z.string() }).loose()).nullish(),
  })
  .loose();
export type RaffVm = z.infer<typeof RaffVmSchema>;

const ListVmsSchema = z
  .object({ data: z.array(RaffVmSchema), total: z.number().int().nonnegative().optional() })
  .loose();

/** A snapshot as listed (ids are integers; `status` and `size` are read by the restore point provider). */
export const RaffSnapshotSchema = z
  .object({
    id: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
    name: z.string(),
    status: z.string().nullish(),
    size: z.union([z.string(), z.number()]).nullish(),
    product_vm: z.string().nullish(),
    created_at: z.string().nullish(),
  })
  .loose();
export type RaffSnapshot = z.infer<typeof RaffSnapshotSchema>;

/** A backup as listed. */
export const RaffBackupSchema = z
  .object({
    id: z.string(),
    name: z.string().nullish(),
    status: z.string(),
    product_vm: z.string().nullish(),
    created_at: z.string().nullish(),
  })
  .loose();
export type RaffBackup = z.infer<typeof RaffBackupSchema>;

/** Power actions of `POST /api/v1/vms/{id}/<action>`. */
export const RAFF_POWER_ACTIONS = ['start', 'stop', 'reboot', 'reboot-hard'] as const;
export type RaffPowerAction = (typeof RAFF_POWER_ACTIONS)[number];

/** How to reach Raff and how patient to be with it. */
export interface RaffClientOptions {
  baseUrl: string;
  apiKey: string;
  projectId?: string;
  /** VMs asked for per page (the server may send fewer; paging follows what it sends). */
  pageSize?: number;
  /** Longest Retry-After honoured, in seconds; a longer one fails the call. */
  maxRetryAfterSeconds?: number;
  /** Attempts per request, counting the first, for 429, 5xx and network errors. */
  maxAttempts?: number;
  /** First backoff after a 5xx or network error; doubles each time. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Told before every wait, for progress output (never given the key). */
  onWait?: (info: { reason: string; ms: number; attempt: number }) => void;
  sleep?: (ms: number) => Promise<void>;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/** Seconds from a Retry-After header (delta-seconds or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * A small client for Raff's public API: `X-API-Key` on every call, `X-Project-ID` when a project is
 * set, limit/offset paging until `total`, 429 answered by waiting `Retry-After` (capped), 5xx and
 * network errors retried with exponential backoff, then an OperationalError. The key never appears in
 * an error message, a hint or a cause: everything the server says is redacted before it is shown.
 */
export class RaffClient {
  private readonly o: Required<Omit<RaffClientOptions, 'projectId' | 'onWait'>> & RaffClientOptions;

  constructor(options: RaffClientOptions) {
    this.o = {
      pageSize: 100,
      maxRetryAfterSeconds: 60,
      maxAttempts: 5,
      backoffMs: 500,
      timeoutMs: 30_000,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
    const url = safeUrl(this.o.baseUrl);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname)))
      throw new UserError(
        'raff-insecure-url',
        `Refusing to send the Raff API key to ${url.origin}: not https.`,
        'Use an https:// base URL (plain http is allowed only for 127.0.0.1, for tests).',
      );
  }

  /** Removes the API key from any text before it is shown. */
  redact(text: string): string {
    return this.o.apiKey ? text.split(this.o.apiKey).join('[redacted]') : text;
  }

  /** Every VM the key can see (in the project, when one is set), following the pages to the end. */
  async listVms(onPage?: (got: number, total?: number) => void): Promise<RaffVm[]> {
    const vms: RaffVm[] = [];
    for (let page = 0; page < 10_000; page++) {
      const query = new URLSearchParams({ limit: String(this.o.pageSize), offset: String(vms.length) });
      if (this.o.projectId) query.set('project_id', this.o.projectId);
      const body = ListVmsSchema.safeParse(await this.getJson(`/api/v1/vms?${query}`));
      if (!body.success)
        throw new OperationalError(
          'raff-bad-response',
          `Raff answered GET /api/v1/vms with an unexpected body (${this.redact(body.error.issues[0]?.message ?? '')}).`,
          'The API may have changed; report it with PATCHWISE_DEBUG=1 output.',
        );
      vms.push(...body.data.data);
      onPage?.(vms.length, body.data.total);
      const done =
        body.data.total !== undefined
          ? vms.length >= body.data.total
          : body.data.data.length < this.o.pageSize;
      if (done || body.data.data.length === 0) break;
    }
    return vms;
  }

  /** One VM, or undefined when Raff says it does not exist. */
  async getVm(id: string): Promise<RaffVm | undefined> {
    const r = await this.call('GET', `/api/v1/vms/${encodeURIComponent(id)}`, { allowNotFound: true });
    if (r.status === 404) return undefined;
    return this.parse(z.object({ data: RaffVmSchema }).loose(), r.body, 'GET /api/v1/vms/{id}').data;
  }

  /** Every snapshot of VM `vmId`, following the pages to the end. */
  listSnapshots(vmId: string): Promise<RaffSnapshot[]> {
    return this.listAll('/api/v1/snapshots', { vm_id: vmId, type: 'vm' }, RaffSnapshotSchema);
  }

  /** Every backup of VM `vmId`, following the pages to the end. */
  listBackups(vmId: string): Promise<RaffBackup[]> {
    return this.listAll('/api/v1/backups', { vm_id: vmId }, RaffBackupSchema);
  }

  /** Asks for a snapshot of VM `vmId`; Raff answers at once and captures in the background. */
  async createSnapshot(vmId: string, name: string): Promise<RaffSnapshot> {
    const r = await this.call('POST', '/api/v1/snapshots', {
      body: { resource_type: 'vm', resource_id: vmId, name },
    });
    return this.parse(z.object({ data: RaffSnapshotSchema }).loose(), r.body, 'POST /api/v1/snapshots').data;
  }

  /** Deletes a snapshot; false when it was already gone. */
  async deleteSnapshot(id: number): Promise<boolean> {
    const r = await this.call('DELETE', `/api/v1/snapshots/${id}`, { allowNotFound: true });
    return r.status !== 404;
  }

  /** Reverts the snapshot's VM to it in place (the VM must be passive). */
  async restoreSnapshot(id: number): Promise<void> {
    await this.call('POST', `/api/v1/snapshots/${id}/restore`, { retryServerErrors: true });
  }

  /** start, stop, reboot, reboot-hard. */
  async power(vmId: string, action: RaffPowerAction): Promise<void> {
    await this.call('POST', `/api/v1/vms/${encodeURIComponent(vmId)}/${action}`, {
      retryServerErrors: true,
    });
  }

  private async listAll<T extends z.ZodType>(
    path: string,
    filter: Record<string, string>,
    item: T,
  ): Promise<z.infer<T>[]> {
    const out: z.infer<T>[] = [];
    const schema = z.object({ data: z.array(item), total: z.number().int().optional() }).loose();
    const limit = Math.min(this.o.pageSize, 50);
    for (let page = 0; page < 10_000; page++) {
      const query = new URLSearchParams({ ...filter, limit: String(limit), offset: String(out.length) });
      const body = this.parse(schema, await this.getJson(`${path}?${query}`), `GET ${path}`);
      out.push(...body.data);
      const done = body.total !== undefined ? out.length >= body.total : body.data.length < limit;
      if (done || body.data.length === 0) break;
    }
    return out;
  }

  private parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
    const r = schema.safeParse(body);
    if (!r.success)
      throw new OperationalError(
        'raff-bad-response',
        `Raff answered ${what} with an unexpected body (${this.redact(r.error.issues[0]?.message ?? '')}).`,
        'The API may have changed; report it with PATCHWISE_DEBUG=1 output.',
      );
    return r.data;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'X-API-Key': this.o.apiKey, Accept: 'application/json' };
    if (this.o.projectId) h['X-Project-ID'] = this.o.projectId;
    return h;
  }

  /** GET with the retry rules; returns the parsed JSON of a 2xx answer. */
  private async getJson(pathAndQuery: string): Promise<unknown> {
    return (await this.call('GET', pathAndQuery)).body;
  }

  /**
   * One request with the retry rules. 429 is always retried (the server did nothing); 5xx and network
   * errors only when `retryServerErrors` (a POST that creates something is not: it might have landed).
   * With `allowNotFound`, a 404 is returned instead of thrown.
   */
  async call(
    method: 'GET' | 'POST' | 'DELETE',
    pathAndQuery: string,
    opts: { body?: unknown; allowNotFound?: boolean; retryServerErrors?: boolean } = {},
  ): Promise<{ status: number; body: unknown }> {
    const what = `${method} ${pathAndQuery.split('?')[0]}`;
    const retryServer = opts.retryServerErrors ?? method !== 'POST';
    let last = '';
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.o.baseUrl + pathAndQuery, {
          method,
          headers: {
            ...this.headers(),
            ...(opts.body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
      } catch (e) {
        last = `network error: ${this.redact((e as Error).cause ? String((e as Error & { cause: unknown }).cause) : String(e))}`;
        if (!retryServer) break;
        await this.backoff(attempt, last);
        continue;
      }
      if (res.ok) return { status: res.status, body: await this.readJson(res, what) };
      if (res.status === 404 && opts.allowNotFound) {
        await res.text().catch(() => '');
        return { status: 404, body: undefined };
      }
      const detail = await this.errorDetail(res);
      if (res.status === 429) {
        last = `429 Too Many Requests${detail}`;
        await this.waitRetryAfter(res, attempt, last);
        continue;
      }
      if (res.status >= 500) {
        last = `${res.status} ${res.statusText}${detail}`;
        if (!retryServer) break;
        await this.backoff(attempt, last);
        continue;
      }
      throw this.clientError(res.status, detail, what);
    }
    throw new OperationalError(
      'raff-unavailable',
      `Raff API ${what} failed${retryServer ? ` after ${this.o.maxAttempts} attempts` : ''} (last: ${last}).`,
      'Raff may be down or rate-limiting this key; try again later.',
    );
  }

  private async readJson(res: Response, what: string): Promise<unknown> {
    try {
      return await res.json();
    } catch {
      throw new OperationalError('raff-bad-response', `Raff answered ${what} with a body that is not JSON.`);
    }
  }

  private async errorDetail(res: Response): Promise<string> {
    const text = await res.text().catch(() => '');
    let msg = text;
    try {
      const j = JSON.parse(text) as { message?: unknown; error?: unknown };
      msg = String(j.message ?? j.error ?? '');
    } catch {
      // not JSON: show the start of the text
    }
    msg = this.redact(msg).replace(/\s+/g, ' ').trim().slice(0, 200);
    return msg ? `: ${msg}` : '';
  }

  private clientError(status: number, detail: string, what: string): Error {
    if (status === 401)
      return new UserError(
        'raff-unauthorized',
        `Raff rejected the API key (401 Unauthorized${detail}).`,
        "Check the key in $RAFF_API_KEY (or the provider's apiKeyEnv/apiKeyFile); create one under API Keys in the Raff console.",
      );
    if (status === 403)
      return new UserError(
        'raff-forbidden',
        `Raff refused ${what} (403 Forbidden${detail}).`,
        'The key needs the permissions for this call (vm.read; vm.power and snapshot rights for restore points) in this project, and the account must be in good standing.',
      );
    return new UserError(
      'raff-request-rejected',
      `Raff rejected ${what} (${status}${detail}).`,
      'Check the provider settings (projectId must be a project UUID).',
    );
  }

  private async waitRetryAfter(res: Response, attempt: number, last: string): Promise<void> {
    const seconds = retryAfterSeconds(res.headers.get('retry-after'));
    if (seconds !== undefined && seconds > this.o.maxRetryAfterSeconds)
      throw new OperationalError(
        'raff-rate-limited',
        `Raff asked to wait ${seconds}s before retrying, more than the ${this.o.maxRetryAfterSeconds}s patchwise waits.`,
        'Try again later, or ask Raff support for a higher rate limit.',
      );
    if (attempt >= this.o.maxAttempts) return;
    const ms = seconds !== undefined ? seconds * 1000 : this.o.backoffMs * 2 ** (attempt - 1);
    this.o.onWait?.({ reason: last, ms, attempt });
    await this.o.sleep(ms);
  }

  private async backoff(attempt: number, last: string): Promise<void> {
    if (attempt >= this.o.maxAttempts) return;
    const ms = this.o.backoffMs * 2 ** (attempt - 1);
    this.o.onWait?.({ reason: last, ms, attempt });
    await this.o.sleep(ms);
  }
}

function safeUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UserError(
      'raff-bad-url',
      `The Raff base URL "${text}" is not a URL.`,
      'Use e.g. https://api.rafftechnologies.com.',
    );
  }
}
