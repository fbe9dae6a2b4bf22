import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { RunLauncher } from '../../api/run-launcher.js';
import type * as RunApp from '../../app/rollout/run-app.js';
import { UserError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { safeText } from '../safe-text.js';

/** Where `serve` listens unless told otherwise: loopback only. */
export const DEFAULT_LISTEN = '127.0.0.1:8470';
/** How long SIGTERM waits for runs in flight before exiting (they resume on the next start). */
const GRACE_MS = Number(process.env.PATCHWISE_SERVE_GRACE_MS ?? 20_000);

/** `ADDRESS:PORT` (IPv6 in brackets) into its parts. @throws UserError for anything else. */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UserError(
      'bad-listen',
      `--listen takes ADDRESS:PORT, not ${JSON.stringify(v.slice(0, 80))}.`,
      'Examples: --listen 127.0.0.1:8470, --listen [::1]:8470, --listen 0.0.0.0:8443 (with TLS)',
    );
  return { host: m[1] ?? m[2]!, port };
}

/** True for addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface ServeOptions {
  listen?: string;
  insecureHttp?: boolean;
  scheduler: boolean;
}

/** Registers `patchwise serve`. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description("Run the HTTP API and the scheduler in one process, on the data directory's store.")
    .option(
      '--listen <address:port>',
      `where to listen (default: server.listen in patchwise.yaml, else ${DEFAULT_LISTEN})`,
    )
    .option(
      '--insecure-http',
      'allow plain HTTP on an address other machines reach (logged loudly; prefer TLS)',
    )
    .option('--no-scheduler', 'serve the API only: open no windows and start no window runs')
    .addHelpText(
      'after',
      `
Examples:
  patchwise tokens create --role viewer --name me        prints a token once
  patchwise serve                                        http://127.0.0.1:8470, the scheduler running
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8470/api/summary
  patchwise serve --listen 0.0.0.0:8443                  needs server.tls in patchwise.yaml:
      server: { tls: { cert: tls/cert.pem, key: tls/key.pem }, rateLimit: { max: 600, timeWindowSeconds: 60 } }

Closed by default: loopback only, and every request but GET /api/health needs a token (patchwise tokens).
An address other machines reach needs TLS, or --insecure-http. The reference is at /api/docs (and
/api/openapi.json), both behind a token. On start, runs left "running" by a controller that is gone are
resumed. SIGTERM or Ctrl-C: stop accepting, finish requests in flight, stop the scheduler, wait up to
${GRACE_MS / 1000} s (PATCHWISE_SERVE_GRACE_MS) for runs in flight, exit 0; a run cut there resumes on the next
start from its last recorded step. See docs/api.md.`,
    )
    .action(async (o: ServeOptions) => serve(ctx, o));
}

async function serve(ctx: CliContext, o: ServeOptions): Promise<void> {
  const { loadConfigOrEmpty } = await import('../../app/inventory.js');
  const loaded = loadConfigOrEmpty(ctx.inventoryInputs());
  const settings = loaded.config.server ?? {};
  const listen = parseListen(o.listen ?? settings.listen ?? DEFAULT_LISTEN);
  const base = path.dirname(ctx.configPath);
  const tls = settings.tls && {
    cert: readTls(path.resolve(base, settings.tls.cert), 'cert'),
    key: readTls(path.resolve(base, settings.tls.key), 'key'),
  };
  if (!isLoopback(listen.host) && !tls && !o.insecureHttp)
    throw new UserError(
      'serve-needs-tls',
      `Listening on ${listen.host} would expose the API to other machines without TLS.`,
      'Set server.tls (cert, key) in patchwise.yaml, listen on 127.0.0.1, or pass --insecure-http on a trusted network.',
    );
  const [{ buildServer }, { RunLauncher }, runApp, { runSchedulerLoop }] = await Promise.all([
    import('../../api/server.js'),
    import('../../api/run-launcher.js'),
    import('../../app/rollout/run-app.js'),
    import('../../app/scheduler.js'),
  ]);
  const inputs = ctx.inventoryInputs();
  const clock = () => ctx.now ?? new Date();
  const runs = new RunLauncher(inputs, clock);
  const app = await buildServer({
    inputs,
    clock,
    runs,
    logger: { level: process.env.PATCHWISE_LOG_LEVEL ?? 'info', stream: process.stderr },
    ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
    ...(tls ? { https: tls } : {}),
  });
  if (!isLoopback(listen.host) && !tls)
    app.log.warn(
      `INSECURE: serving plain HTTP on ${listen.host}: tokens cross the network in clear text (--insecure-http)`,
    );
  await resumeOrphans(inputs, runs, runApp, (m) => app.log.info(m));
  const address = await app.listen({ host: listen.host, port: listen.port });
  process.stdout.write(`patchwise serve: listening on ${address}\n`);
  const stop = new AbortController();
  const scheduler = o.scheduler
    ? runSchedulerLoop(inputs, {
        clock,
        intervalSeconds: 30,
        signal: stop.signal,
        onEvent: (e) =>
          app.log.info({ window: e.window, event: e.event, occurrence: e.occurrence }, e.reason),
        startRun: async (e) => {
          runs.background(`window:${e.window}`, () =>
            runApp
              .startWindowRun(inputs, e, clock(), () => undefined)
              .then((r) => {
                if (r.error) app.log.error(safeText(`the run of ${e.window} failed to start: ${r.error}`));
              }),
          );
        },
      }).catch((e: unknown) => app.log.error({ err: e }, 'the scheduler stopped'))
    : Promise.resolve();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      app.log.info(`${sig} received: stopping (requests in flight finish; runs get ${GRACE_MS / 1000} s)`);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  stop.abort();
  await app.close();
  await scheduler;
  if (!(await runs.drain(GRACE_MS)))
    app.log.warn('runs still in flight at exit: they resume on the next start (patchwise runs resume RUN)');
  process.stdout.write('patchwise serve: stopped\n');
}

function readTls(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UserError(
      'serve-tls-file',
      `Cannot read the TLS ${what} file ${file}: ${(e as Error).message}.`,
      'Check server.tls in patchwise.yaml (paths are relative to it).',
      { cause: e },
    );
  }
}

/** Resumes runs left `running` by a controller that is gone (killed, or the host rebooted). */
async function resumeOrphans(
  inputs: ReturnType<CliContext['inventoryInputs']>,
  runs: RunLauncher,
  runApp: typeof RunApp,
  log: (m: string) => void,
): Promise<void> {
  const now = new Date();
  for (const r of await runApp.listRuns(inputs)) {
    if (r.state !== 'running' || runApp.heldByOther(r, now)) continue;
    log(`resuming run ${r.id}: its controller (process ${r.controllerPid ?? '?'}) is gone`);
    runs.background(r.id, () => runApp.resumeRun(inputs, r.id, { actor: 'serve', onEvent: () => undefined }));
  }
}
