import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isKnownError, UserError } from '../core/errors.js';

/** The one error body of every API response that is not a success. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable: the same codes as the CLI (scripts may match on them)'),
      message: z.string(),
      hint: z.string().optional().describe('how to fix it'),
    }),
  })
  .describe('an error');
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A refusal of the API itself: no or a bad token (401), a role too low or one's own approval (403). */
export class AccessError extends UserError {
  constructor(
    readonly status: 401 | 403,
    code: string,
    message: string,
    hint?: string,
  ) {
    super(code, message, hint);
  }
}

/** Codes of user errors that mean "no such thing" (404) or "not now" (409); other user errors are 400. */
const NOT_FOUND = /-unknown$|^not-found$|^host-not-scanned$|^finding-unknown$/;
const CONFLICT = /-busy$|^token-exists$|^request-not-pending$|^nothing-scanned$|^no-advisories$|^run-empty$/;

/** The HTTP status of a known error. */
export function statusOf(e: UserError | { code: string }, operational: boolean): number {
  if (e instanceof AccessError) return e.status;
  if (operational) return 503;
  if (NOT_FOUND.test(e.code)) return 404;
  if (CONFLICT.test(e.code)) return 409;
  return 400;
}

function body(code: string, message: string, hint?: string): ErrorBody {
  return { error: { code, message, ...(hint ? { hint } : {}) } };
}

/**
 * Fastify's error handler: every failure leaves as `{ error: { code, message, hint? } }`. User errors keep
 * the CLI's codes and hints; a request that fails its schema is `invalid-request` naming each issue; a bug
 * is logged with its stack and answered 500 `internal` without details.
 */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map(
      (v) =>
        `${err.validationContext ?? 'request'}${v.instancePath.replaceAll('/', '.') || ''}: ${v.message}`,
    );
    return reply
      .code(400)
      .send(body('invalid-request', `The request is not valid: ${issues.join('; ')}.`, 'See /api/docs.'));
  }
  if (isKnownError(err)) {
    const status = statusOf(err, !(err instanceof UserError));
    return reply.code(status).send(body(err.code, err.message, err.hint));
  }
  if (isResponseSerializationError(err)) {
    req.log.error({ err }, 'a response did not match its schema');
    return reply.code(500).send(body('internal', 'The server built a response it could not send (a bug).'));
  }
  const status = err.statusCode ?? 500;
  if (status === 429)
    return reply
      .code(429)
      .send(body('rate-limited', err.message, 'Wait, or ask for a higher server.rateLimit.'));
  if (status === 413)
    return reply.code(413).send(body('body-too-large', 'The request body is larger than 1 MiB.'));
  if (status >= 400 && status < 500)
    return reply.code(status).send(body(err.code ? slug(err.code) : 'bad-request', err.message));
  req.log.error({ err }, 'internal error');
  return reply
    .code(500)
    .send(
      body('internal', 'Internal error (a bug; please report it).', 'The server log has the stack trace.'),
    );
}

/** Fastify's own codes (`FST_ERR_CTP_INVALID_MEDIA_TYPE`) as ours (`invalid-media-type`). */
function slug(code: string): string {
  return code
    .replace(/^FST_ERR_(CTP_)?/, '')
    .toLowerCase()
    .replaceAll('_', '-');
}

/** Answers an unknown route in the same shape. */
export function handleNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .send(body('route-unknown', `No route ${req.method} ${req.url.split('?')[0]}.`, 'See /api/docs.'));
}

/** The responses every authenticated route may give besides its own, for the OpenAPI document. */
export const ERROR_RESPONSES = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
  500: ErrorBodySchema,
  503: ErrorBodySchema,
} as const;
