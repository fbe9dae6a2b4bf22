import type { Command } from 'commander';
import type { TokenRecord } from '../../adapters/store/token-store.js';
import { isRole, ROLES, type Role } from '../../core/access/roles.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { safeText } from '../safe-text.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `--expires 30d|12h|2w|ISO` as an ISO instant after `now`. @throws UserError for anything else. */
export function parseExpiry(v: string, now: Date): string {
  const m = /^(\d{1,4})([hdw])$/.exec(v.trim());
  const at = m
    ? new Date(now.getTime() + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS])
    : new Date(/^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? `${v.trim()}T00:00:00Z` : v.trim());
  if (Number.isNaN(at.getTime()) || at.getTime() <= now.getTime())
    throw new UserError(
      'bad-expires',
      `--expires takes a duration (30d, 12h, 2w) or a future date or ISO time, not ${JSON.stringify(v.slice(0, 60))}.`,
      'Example: --expires 90d',
    );
  return at.toISOString();
}

function parseRole(v: string): Role {
  if (!isRole(v))
    throw new UserError(
      'bad-role',
      `--role takes ${ROLES.join(', ')}, not ${JSON.stringify(v.slice(0, 40))}.`,
    );
  return v;
}

async function tokenStore(ctx: CliContext) {
  const { TokenStore } = await import('../../adapters/store/token-store.js');
  return new TokenStore((await ctx.openStore()).db);
}

function stateOf(t: TokenRecord, now: Date): string {
  if (t.revokedAt) return 'revoked';
  if (t.expiresAt && new Date(t.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** Registers `patchwise tokens`. */
export function register(program: Command, ctx: CliContext): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for patchwise serve: create (shown once), list, revoke')
    .addHelpText(
      'after',
      `
Roles, each allowed what the ones before it are:
  viewer    reads: hosts, findings, plan, summary, runs
  operator  scans, plans, starts runs inside windows, resumes and rolls back runs, requests emergency runs
  approver  approves emergency runs (never their own request)
  admin     manages tokens and configuration (adds hosts)
A token is a random secret shown once; the store keeps only its sha256. Send it as
Authorization: Bearer <token>. Expired and revoked tokens are refused. See docs/api.md.`,
    );
  tokens
    .command('create')
    .description('create a token and print it once')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
    .requiredOption('--name <name>', 'who or what holds it (unique), e.g. ci-deploy or alice')
    .option('--expires <when>', 'a duration (30d, 12h, 2w) or a date; default: never')
    .option('--json', 'print {"token": ..., "id", "name", "role", "expiresAt"} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  patchwise tokens create --role viewer --name dashboard --expires 90d
  patchwise tokens create --role operator --name ci --json | jq -r .token > ci.token
The token is printed now and never again: store it in a secret manager.`,
    )
    .action(async (o: { role: Role; name: string; expires?: string; json?: boolean }) => {
      if (!NAME.test(o.name))
        throw new UserError(
          'bad-token-name',
          `--name takes a letter or digit, then letters, digits, . _ @ -, at most 63; not ${JSON.stringify(o.name.slice(0, 60))}.`,
        );
      const now = new Date();
      const store = await tokenStore(ctx);
      if (await store.find(o.name))
        throw new UserError(
          'token-exists',
          `A token named ${o.name} exists.`,
          'Pick another --name, or revoke it first.',
        );
      const { currentActor } = await import('../../app/defer.js');
      const { token, record } = await store.create(
        { name: o.name, role: o.role, ...(o.expires ? { expiresAt: parseExpiry(o.expires, now) } : {}) },
        currentActor(ctx.env),
        now,
      );
      if (o.json) return printJson({ token, ...record });
      process.stdout.write(
        `${token}\n` +
          safeText(
            `created ${record.id} ${record.name} (${record.role}${record.expiresAt ? `, expires ${record.expiresAt}` : ', never expires'}); this is the only time the token is shown`,
          ) +
          '\n',
      );
    });
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print records as JSON')
    .action(async (o: { json?: boolean }) => {
      const now = new Date();
      const all = (await (await tokenStore(ctx)).list()).map((t) => ({ ...t, state: stateOf(t, now) }));
      if (o.json) return printJson(all);
      process.stdout.write(
        formatTable(all, [
          { header: 'ID', get: (t) => t.id },
          { header: 'NAME', get: (t) => t.name, max: 32 },
          { header: 'ROLE', get: (t) => t.role },
          { header: 'STATE', get: (t) => t.state },
          { header: 'EXPIRES', get: (t) => t.expiresAt ?? 'never' },
          { header: 'CREATED', get: (t) => `${t.createdAt} by ${t.createdBy}` },
        ]),
      );
    });
  tokens
    .command('revoke <nameOrId>')
    .description('revoke a token: refused from the next request on')
    .option('--json', 'print the revoked record as JSON')
    .action(async (nameOrId: string, o: { json?: boolean }) => {
      const store = await tokenStore(ctx);
      const t = await store.find(nameOrId);
      if (!t)
        throw new UserError(
          'token-unknown',
          `No token named or numbered ${nameOrId}.`,
          'See: patchwise tokens list',
        );
      const now = new Date();
      const { currentActor } = await import('../../app/defer.js');
      const changed = await store.revoke(t.id, now, currentActor(ctx.env));
      const record = (await store.find(t.id))!;
      if (o.json) return printJson(record);
      process.stdout.write(
        safeText(changed ? `revoked ${t.id} ${t.name}` : `${t.id} ${t.name} was revoked already`) + '\n',
      );
    });
}
