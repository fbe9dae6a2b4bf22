import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenStore, TokenRecord } from '../adapters/store/token-store.js';
import { roleAllows, type Role } from '../core/access/roles.js';
import { AccessError } from './errors.js';

/** Who may call a route: a role (or any role above it), or `public` (no token: only the health check). */
export type Access = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route; absent means any valid token (closed by default). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The token the request came with, once checked (never the secret). */
    principal?: TokenRecord;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

/** The actor name runs, deferrals and logs record for a token: `token:NAME`. */
export function actorOf(p: TokenRecord): string {
  return `token:${p.name}`;
}

/** The request's principal; only for routes that are not public. */
export function principal(req: FastifyRequest): TokenRecord {
  if (!req.principal) throw new AccessError(401, 'unauthorized', 'This route needs a token.');
  return req.principal;
}

/**
 * Checks every request's bearer token before anything else runs (an unknown route too): missing, unknown,
 * expired or revoked is 401; a role below the route's is 403. The secret is only hashed and compared.
 */
export function registerAuth(
  app: FastifyInstance,
  tokens: () => Promise<TokenStore>,
  clock: () => Date,
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access;
    if (access === 'public') return;
    const m = BEARER.exec(req.headers.authorization ?? '');
    if (!m)
      throw new AccessError(
        401,
        'unauthorized',
        'This request needs a token: send the header Authorization: Bearer <token>.',
        'Create one with: patchwise tokens create --role viewer --name NAME',
      );
    const token = await (await tokens()).verify(m[1]!, clock());
    if (!token)
      throw new AccessError(
        401,
        'unauthorized',
        'The token is not valid: unknown, expired or revoked.',
        'See: patchwise tokens list',
      );
    req.principal = token;
    const needed = access ?? 'viewer';
    if (!roleAllows(token.role, needed))
      throw new AccessError(
        403,
        'forbidden',
        `This needs the ${needed} role or above; the token ${token.name} is ${token.role}.`,
        `Ask an admin for a token with the ${needed} role.`,
      );
  });
}
