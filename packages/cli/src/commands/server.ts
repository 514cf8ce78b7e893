/**
 * `vigil server`: resolve the configuration (flags > VIGIL_* env > config file > defaults),
 * start a node, print the banner, and shut down cleanly on SIGTERM/SIGINT.
 */

import { VigilError } from '@vigil/protocol';
import { type Command, Option } from 'commander';
import type { CliContext } from '../context.js';

/** The server package, imported only when the server command runs (it is large). */
export type ServerModule = typeof import('@vigil/server');

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (is another server running?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address',
};

/** The banner lines: where to go, the one-time admin password (first start only), the CA pin. */
export function bannerText(info: {
  url: string;
  adminEmail?: string | undefined;
  adminPassword?: string | undefined;
  caFingerprint: string;
}): string {
  const base = info.url.replace(/\/+$/, '');
  const lines = ['Vigil server is running.', `  Console:          ${base}/`];
  if (info.adminEmail && info.adminPassword) {
    lines.push(
      `  Admin e-mail:     ${info.adminEmail}`,
      `  Admin password:   ${info.adminPassword}  (one-time: shown only now; change it after logging in)`,
    );
  }
  lines.push(
    `  CA fingerprint:   ${info.caFingerprint}`,
    `  Log in with:      vigil login --server ${base} --ca-fingerprint ${info.caFingerprint}`,
  );
  return lines.join('\n') + '\n';
}

function startupError(error: unknown, listen: string): VigilError {
  if (error instanceof VigilError) return error;
  const code = (error as { code?: unknown })?.code;
  const hint = typeof code === 'string' ? LISTEN_ERRORS[code] : undefined;
  if (hint) return new VigilError('E_CONFIG', `cannot listen on ${listen}: ${hint}`, { cause: error });
  return new VigilError(
    'E_INTERNAL',
    `the server did not start: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

/** Register `vigil server`; without the server module only its name and summary (for top-level help). */
export function registerServerCommand(program: Command, ctx: CliContext, server: ServerModule | null): void {
  const cmd = program
    .command('server')
    .summary('run a Vigil server node')
    .description('Run a Vigil server node: REST API, console and agent hub on one TLS port.');
  if (!server) {
    cmd.allowUnknownOption().action(() => {
      throw new VigilError('E_INTERNAL', 'the server module was not loaded');
    });
    return;
  }
  const attributes = new Map<string, string>();
  for (const o of server.SERVER_OPTIONS) {
    const option = new Option(`${o.flag} <${o.arg ?? 'VALUE'}>`, `${o.description} [env ${o.env}]`);
    attributes.set(o.key, option.attributeName());
    cmd.addOption(option);
  }
  cmd.option(
    '--config <FILE>',
    'config file (JSON or YAML) with the options above by flag name [env VIGIL_CONFIG]',
  );
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const flags: Record<string, string> = {};
    for (const o of server.SERVER_OPTIONS) {
      const value = opts[attributes.get(o.key) ?? o.key];
      if (value !== undefined) flags[o.key] = value;
    }
    let listen = flags.listen ?? ctx.env.VIGIL_LISTEN ?? '127.0.0.1:8443';
    let started: Awaited<ReturnType<ServerModule['startServer']>>;
    try {
      const config = server.resolveServerConfig({
        flags,
        env: ctx.env,
        ...(opts.config ? { configFile: opts.config } : {}),
      });
      listen = `${config.host}:${config.port}`;
      started = await server.startServer(config);
    } catch (error) {
      throw startupError(error, listen);
    }
    // Handlers first: whoever reads the banner may signal at once and expects a clean exit.
    server.closeOnSignals(
      () => started.vigil.close(),
      (msg) => ctx.io.err(`${msg}\n`),
    );
    ctx.io.out(
      bannerText({
        url: started.url,
        adminEmail: started.adminEmail,
        adminPassword: started.adminPassword,
        caFingerprint: started.vigil.services.keys.caFingerprint,
      }),
    );
  });
}
