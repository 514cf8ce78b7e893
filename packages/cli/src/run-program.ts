/**
 * What every `vigil` run shares, whichever command tree it builds: the root command's settings,
 * the error line, the exit codes and the run itself (context, parse, close).
 */

// The entry without TypeBox: `vigil agent run` loads this module and runs for weeks (ADR 0006).
import { VigilError } from '@vigil/protocol/agent-runtime';
import { Command, CommanderError } from 'commander';
import { type CliContext, createContext, type Stdin } from './context.js';
import type { Io } from './output.js';

/** The CLI's version (the workspace version). */
export const CLI_VERSION = '0.1.0';

/** Exit code for a failed command. */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error (unknown option, missing argument). */
export const EXIT_USAGE = 2;

/** The root `vigil` command without subcommands: description, version, errors as `error E_USAGE: …`. */
export function rootCommand(ctx: CliContext): Command {
  return new Command('vigil')
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
}

/** The line printed for a failure: `error <CODE>: <message>`. */
export function errorLine(error: unknown): string {
  if (error instanceof VigilError) return `error ${error.code}: ${error.message}\n`;
  const message = error instanceof Error ? error.message : String(error);
  return `error E_INTERNAL: ${message}\n`;
}

/** Options for one in-process run. */
export interface RunOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  stdin?: Stdin;
}

/** Run `argv` (without `node vigil`) through the command tree `build` makes; returns the exit code. */
export async function runProgram(
  argv: string[],
  options: RunOptions,
  build: (ctx: CliContext) => Promise<Command>,
): Promise<number> {
  const io = options.io ?? { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };
  const env = options.env ?? process.env;
  const ctx = createContext(io, env, options.stdin ?? process.stdin);
  try {
    await (await build(ctx)).parseAsync(argv, { from: 'user' });
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
