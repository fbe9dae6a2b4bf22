import { z } from 'zod';
import { ERROR_RESPONSES } from '../errors.js';
import type { RouteModule } from './common.js';

type Doc = {
  paths?: Record<string, Record<string, Operation>>;
};
type Operation = {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: { type?: unknown };
  }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string }>;
  'x-access'?: string;
};

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The OpenAPI document as plain HTML: each route, its method, summary, parameters and responses. */
export function docsHtml(doc: Doc): string {
  const parts: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''}${p.schema?.type ? `, ${esc(String(p.schema.type))}` : ''})${p.description ? `: ${esc(p.description)}` : ''}</li>`,
        )
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><code>${esc(code)}</code> ${esc(r.description ?? '')}</li>`)
        .join('');
      parts.push(`<section id="${esc(`${method}-${path}`)}">
<h2><code>${esc(method.toUpperCase())} ${esc(path)}</code></h2>
<p>${esc(op.summary ?? '')}</p>${op.description ? `\n<p>${esc(op.description)}</p>` : ''}
${op['x-access'] ? `<p>Role: <b>${esc(op['x-access'])}</b> or above</p>` : ''}
${params ? `<h3>Parameters</h3><ul>${params}</ul>` : ''}${op.requestBody ? '<p>Body: JSON (see <a href="/api/openapi.json">openapi.json</a>)</p>' : ''}
<h3>Responses</h3><ul>${responses}</ul>
</section>`);
    }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>patchwise API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}section{border-top:1px solid #ccc}code{background:#f4f4f4;padding:0 .2em}</style>
</head><body>
<h1>patchwise API</h1>
<p>JSON over HTTP. Every route but <code>GET /api/health</code> needs <code>Authorization: Bearer &lt;token&gt;</code>
(<code>patchwise tokens create</code>). Errors: <code>{"error":{"code","message","hint"}}</code>.
Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). See docs/api.md.</p>
${parts.join('\n')}
</body></html>
`;
}

/** `/api/health`, `/api/openapi.json` and `/api/docs`. */
export const docsRoutes: RouteModule = (app) => {
  app.get(
    '/api/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Liveness: answers without a token',
        tags: ['meta'],
        security: [],
        response: { 200: z.object({ ok: z.literal(true) }), 429: ERROR_RESPONSES[429] },
      },
    },
    async () => ({ ok: true as const }),
  );
  app.get(
    '/api/openapi.json',
    {
      schema: {
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['meta'],
        response: { 200: z.looseObject({ openapi: z.string() }), ...ERROR_RESPONSES },
      },
    },
    async () => app.swagger() as unknown as { openapi: string },
  );
  app.get(
    '/api/docs',
    {
      schema: {
        summary: 'This API as a page to read (HTML, no JavaScript)',
        tags: ['meta'],
        response: { 200: z.string().describe('text/html'), ...ERROR_RESPONSES },
      },
    },
    async (_req, reply) => reply.type('text/html; charset=utf-8').send(docsHtml(app.swagger() as Doc)),
  );
};
