import { createHmac } from 'node:crypto';
import { retryAfterSeconds } from '../providers/raff/raff-client.js';

/** Where a webhook goes and how its body is signed. */
export interface WebhookTarget {
  /** the webhook's name in patchwise.yaml (what logs and the outbox show) */
  name: string;
  url: string;
  /** the HMAC key; unsigned when absent */
  secret?: string;
}

/** One attempt's outcome. */
export interface WebhookAttempt {
  ok: boolean;
  /** the HTTP status, when an answer came */
  status?: number;
  /** why it failed, never holding the URL's query or the secret */
  error?: string;
  /** how long the receiver asked to wait (429 Retry-After), in ms */
  retryAfterMs?: number;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why `url` may not receive notifications (undefined when it may): https only, plain http only for a
 * loopback address (tests, a local relay), like the Raff client's rule.
 */
export function webhookUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:' && LOOPBACK.test(u.hostname)) return undefined;
  return `${u.protocol}// is not allowed: use https:// (plain http only for 127.0.0.1 or localhost)`;
}

/** `url` without its query, fragment and credentials: query strings often hold tokens. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** `sha256=<hex HMAC-SHA256 of body under secret>`, the `X-Patchwise-Signature` header. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * One POST of `body` (JSON) to the webhook, signed when it has a secret (`X-Patchwise-Signature`, with
 * `X-Patchwise-Timestamp` the attempt's time in epoch seconds), within `timeoutMs`. 2xx is delivered;
 * anything else is reported, never thrown. Retrying is the caller's (the outbox's) business.
 */
export async function postWebhook(
  t: WebhookTarget,
  body: string,
  o: { timeoutMs: number; now: Date },
): Promise<WebhookAttempt> {
  const problem = webhookUrlProblem(t.url);
  if (problem) return { ok: false, error: `refused: ${problem}` };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'patchwise',
    'x-patchwise-timestamp': String(Math.floor(o.now.getTime() / 1000)),
  };
  if (t.secret) headers['x-patchwise-signature'] = signBody(t.secret, body);
  let res: Response;
  try {
    res = await fetch(t.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (e) {
    return { ok: false, error: networkError(e, o.timeoutMs) };
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  const out: WebhookAttempt = { ok: false, status: res.status, error: `HTTP ${res.status}` };
  if (res.status === 429) {
    const s = retryAfterSeconds(res.headers.get('retry-after'));
    if (s !== undefined) out.retryAfterMs = s * 1000;
  }
  return out;
}

/** A network failure in words, without the URL (undici's messages name it in its cause). */
function networkError(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: unknown } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = typeof err.cause?.code === 'string' ? err.cause.code : undefined;
  return code ? `network error (${code})` : 'network error';
}
