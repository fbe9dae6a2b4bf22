import { PassThrough } from 'node:stream';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NdjsonWriter } from '../../cli/ndjson.js';
import { isKnownError, UserError } from '../../core/errors.js';
import type { ApiContext } from '../server.js';

/** The app a route module registers on: Fastify with zod schemas for requests and responses. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A route module: registers its routes on `app`, reading and writing through `ctx`. */
export type RouteModule = (app: ZodApp, ctx: ApiContext) => void | Promise<void>;

/** Page size when `limit` is absent, and the most a page holds. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** `?cursor=&limit=` of every paged list. */
export const PageQuery = z.object({
  cursor: z
    .string()
    .max(200)
    .optional()
    .describe("from the previous page's nextCursor; absent for the first page"),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
});

/** The `page` part of every paged response. */
export const PageInfo = z.object({
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last'),
  limit: z.number().int(),
  total: z.number().int().nullable().describe('items in all, when known'),
});

/** An opaque cursor: the offset of the page's first item, base64url JSON. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** The offset a cursor stands for. @throws UserError `bad-cursor` for one this server did not make. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // falls through to the error
  }
  throw new UserError(
    'bad-cursor',
    'The cursor is not one this server made.',
    'Start again without ?cursor=.',
  );
}

/** A page of `items` from a list in memory. */
export function pageOf<T>(all: readonly T[], q: { cursor?: string; limit: number }) {
  const offset = decodeCursor(q.cursor);
  const items = all.slice(offset, offset + q.limit);
  const next = offset + q.limit < all.length ? encodeCursor(offset + q.limit) : null;
  return { items, page: { nextCursor: next, limit: q.limit, total: all.length } };
}

/** `?format=json|ndjson` of streamable lists. */
export const FormatQuery = z.object({
  format: z
    .enum(['json', 'ndjson'])
    .optional()
    .describe('ndjson streams every item (same as Accept: application/x-ndjson)'),
});

/** True when the client asked for NDJSON (`?format=ndjson` or `Accept: application/x-ndjson`). */
export function wantsNdjson(req: FastifyRequest, format?: string): boolean {
  if (format) return format === 'ndjson';
  return /application\/x-ndjson/.test(req.headers.accept ?? '');
}

/**
 * Answers with an NDJSON stream written by `produce` (header line first, as the CLI's `--json`), with
 * backpressure: memory stays flat however long the stream. A client that goes away stops the producer
 * (`w.done`).
 */
export function sendNdjson(reply: FastifyReply, produce: (w: NdjsonWriter) => Promise<void>): FastifyReply {
  const out = new PassThrough();
  const w = new NdjsonWriter(out);
  reply.raw.on('close', () => out.destroy());
  void produce(w)
    .then(() => w.flush())
    .then(
      () => out.end(),
      (e: unknown) => {
        // Headers are gone: the error goes in the stream as its last line (a bug's details only in the log).
        const known = isKnownError(e);
        if (!known) reply.log.error({ err: e }, 'internal error while streaming');
        const error = known
          ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
          : { code: 'internal', message: 'Internal error (a bug; please report it).' };
        out.end(`${JSON.stringify({ error })}\n`);
      },
    );
  return reply.type('application/x-ndjson').send(out);
}

/**
 * Records of the app's own types answered through a loose response schema: the schema checks the fields
 * it names when the response is serialized; TypeScript cannot see that a closed interface fits an open one.
 */
export function checkedAtSend<T>(v: T): never {
  return v as never;
}
