/**
 * The `vigil` command tree. Built per run around a context, so tests can run the CLI in-process
 * with their own output buffers and environment, exactly as the binary does.
 */

import type { Command } from 'commander';
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
import type { CliContext } from './context.js';
import { type RunOptions, rootCommand, runProgram } from './run-program.js';

export { CLI_VERSION, EXIT_FAILURE, EXIT_USAGE, errorLine, type RunOptions } from './run-program.js';

/** Build the command tree for one run; `server` is the server package when `vigil server` runs. */
export function buildProgram(ctx: CliContext, server: ServerModule | null = null): Command {
  const program = rootCommand(ctx);
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

// The server package takes a second to load; only `vigil server` (and its help) needs it.
function wantsServer(argv: string[]): boolean {
  const words = argv.filter((a) => !a.startsWith('-'));
  return (
    words[0] === 'server' ||
    words[0] === 'start' ||
    (words[0] === 'help' && (words[1] === 'server' || words[1] === 'start'))
  );
}

/** Run the CLI with `argv` (without `node vigil`) and return the exit code. */
export function runCli(argv: string[], options: RunOptions = {}): Promise<number> {
  return runProgram(argv, options, async (ctx) =>
    buildProgram(ctx, wantsServer(argv) ? await import('@vigil/server') : null),
  );
}
