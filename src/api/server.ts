import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { RunInputs } from '../app/rollout/run-app.js';
import { TokenStore } from '../adapters/store/token-store.js';
import { registerAuth } from './auth.js';
import { handleError, handleNotFound } from './errors.js';
import { FleetViews } from './fleet-views.js';
import { RunLauncher } from './run-launcher.js';
import { ROUTES } from './routes/index.js';

/** The largest request body the API reads. */
export const BODY_LIMIT = 1024 * 1024;

/** What the API is built from; tests build it with their own store and clock. */
export interface ApiDeps {
  inputs: RunInputs;
  /** The clock decisions are made by (default: the real one). */
  clock?: () => Date;
  /** Fastify's logger (default off); the authorization header is always redacted. */
  logger?: boolean | { level: string; stream?: NodeJS.WritableStream };
  /** Requests per token per window (default 600 a minute). */
  rateLimit?: { max: number; timeWindowSeconds: number };
  /** TLS files' contents, when serving HTTPS. */
  https?: { cert: Buffer; key: Buffer };
  /** Starts runs in this process; `patchwise serve` shares its own with the scheduler. */
  runs?: RunLauncher;
}

/** What every route module receives: the deps, resolved, and the shared views of the fleet. */
export interface ApiContext {
  inputs: RunInputs;
  clock: () => Date;
  views: FleetViews;
  runs: RunLauncher;
}

/**
 * Builds the API: auth on every request, one error shape, zod schemas that validate requests and
 * responses and make the OpenAPI document, weak ETags on reads, a body limit and a per-token rate
 * limit. Each file of routes/ registers its own routes (see routes/index.ts).
 */
export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? (() => new Date());
  const options: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } = {
    bodyLimit: BODY_LIMIT,
    // Long enough for the schemas' own limits to answer (400 in our shape) before the router's 414.
    routerOptions: { maxParamLength: 1000 },
    logger: deps.logger
      ? {
          ...(typeof deps.logger === 'object' ? deps.logger : {}),
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
        }
      : false,
    ...(deps.https ? { https: deps.https } : {}),
  };
  const app = Fastify(options) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  const store = () => deps.inputs.openStore();
  registerAuth(app, async () => new TokenStore((await store()).db), clock);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'patchwise API',
        version: '1',
        description:
          'Risk-based patch management. Every route but /api/health needs Authorization: Bearer <token>.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  const limit = deps.rateLimit ?? { max: 600, timeWindowSeconds: 60 };
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: limit.max,
    timeWindow: limit.timeWindowSeconds * 1000,
    keyGenerator: (req) => req.principal?.id ?? `ip:${req.ip}`,
  });
  addEtags(app);
  const ctx: ApiContext = {
    inputs: deps.inputs,
    clock,
    views: new FleetViews(deps.inputs, clock),
    runs: deps.runs ?? new RunLauncher(deps.inputs, clock),
  };
  for (const register of ROUTES)
    await app.register(async (scope) => register(scope.withTypeProvider<ZodTypeProvider>(), ctx));
  return app;
}

/**
 * A weak ETag on every successful GET with a body in memory (streams have none): the hash of the body.
 * A request whose If-None-Match names it gets 304 and no body.
 */
function addEtags(app: FastifyInstance): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'GET' || reply.statusCode !== 200) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const tag = `W/"${createHash('sha1').update(payload).digest('base64url')}"`;
    reply.header('etag', tag);
    const seen = req.headers['if-none-match'];
    if (seen && seen.split(',').some((t) => t.trim() === tag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });
}
