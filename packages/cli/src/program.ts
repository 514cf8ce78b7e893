/**
 * The `vigil` command tree. Built per run around a context, so tests can run the CLI in-process
 * with their own output buffers and environment, exactly as the binary does.
 */

import { VigilError } from '@vigil/protocol';
import { Command, CommanderError } from 'commander';
import { registerActionCommands } from './commands/actions.js';
import { registerAgentCommands } from './commands/agent-cli.js';
import { registerAlertCommands } from './commands/alerts.js';
import { registerApiTokenCommands } from './commands/api-tokens.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCheckCommands } from './commands/checks.js';
import { registerDeviceControlCommands } from './commands/device-control.js';
import { registerDeviceCommands } from './commands/devices.js';
import { registerEnrollmentCommands } from './commands/enrollment.js';
import { registerGroupCommands } from './commands/groups.js';
import { registerLoginCommands } from './commands/login.js';
import { registerMonitoringCommands } from './commands/monitoring.js';
import { registerNotificationCommands } from './commands/notifications.js';
import { registerQueryCommands } from './commands/query.js';
import { registerResponseCommands } from './commands/responses.js';
import { registerServerCommand, type ServerModule } from './commands/server.js';
import { registerSetupCommand } from './commands/setup.js';
import { registerSoftwareCommands } from './commands/software.js';
import { registerStartCommand } from './commands/start.js';
import { registerUserCommands } from './commands/users.js';
import { type CliContext, createContext, type Stdin } from './context.js';
import type { Io } from './output.js';

/** The CLI's version (the workspace version). */
export const CLI_VERSION = '0.1.0';

/** Exit code for a failed command. */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/** Build the command tree for one run; `server` is the server package when `vigil server` runs. */
export function buildProgram(ctx: CliContext, server: ServerModule | null = null): Command {
  const program = new Command('vigil')
    .description(
      'Vigil endpoint security: run the server and manage devices, groups, tokens and the audit log.',
    )
    .version(CLI_VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'error E_USAGE: ')),
    });
  program.addHelpText(
    'after',
    '\nConnection: vigil login stores the server, its pinned CA and an API token in ~/.config/vigil/.\nVIGIL_SERVER, VIGIL_TOKEN and VIGIL_CA_FINGERPRINT override them; VIGIL_CONFIG_DIR moves them.',
  );
  registerServerCommand(program, ctx, server);
  registerSetupCommand(program, ctx);
  registerLoginCommands(program, ctx);
  registerDeviceCommands(program, ctx);
  registerGroupCommands(program, ctx);
  registerApiTokenCommands(program, ctx);
  registerAuditCommand(program, ctx);
  registerUserCommands(program, ctx);
  registerDeviceControlCommands(program, ctx);
  registerEnrollmentCommands(program, ctx);
  registerQueryCommands(program, ctx);
  registerCheckCommands(program, ctx);
  registerActionCommands(program, ctx);
  registerSoftwareCommands(program, ctx);
  registerAlertCommands(program, ctx);
  registerNotificationCommands(program, ctx);
  registerResponseCommands(program, ctx);
  registerMonitoringCommands(program, ctx);
  registerAgentCommands(program, ctx);
  registerStartCommand(program, ctx, server);
  return program;
}

/** The line printed for a failure: `error <CODE>: <message>`. */
export function errorLine(error: unknown): string {
  if (error instanceof VigilError) return `error ${error.code}: ${error.message}\n`;
  const message = error instanceof Error ? error.message : String(error);
  return `error E_INTERNAL: ${message}\n`;
}

// The server package takes a second to load; only `vigil server` (and its help) needs it.
function wantsServer(argv: string[]): boolean {
  const words = argv.filter((a) => !a.startsWith('-'));
  return (
    words[0] === 'server' ||
    words[0] === 'start' ||
    (words[0] === 'help' && (words[1] === 'server' || words[1] === 'start'))
  );
}

/** Options for one in-process run. */
export interface RunOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  stdin?: Stdin;
}

/** Run the CLI with `argv` (without `node vigil`) and return the exit code. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
  const env = options.env ?? process.env;
  const ctx = createContext(io, env, options.stdin ?? process.stdin);
  try {
    const server = wantsServer(argv) ? await import('@vigil/server') : null;
    await buildProgram(ctx, server).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    io.err(errorLine(error));
    if (env.VIGIL_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    return error instanceof VigilError && error.code === 'E_USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    await ctx.close();
  }
}
