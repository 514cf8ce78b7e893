/**
 * `vigil agent …` alone: the command tree of the agent commands only. An agent runs on every
 * device for weeks, so `vigil agent run` does not load the other commands, the REST client and
 * what they import (about 4 MB of heap; docs/benchmarks.md, agent footprint). The commands, their
 * options and their help are the same as in the full tree.
 */

import { registerAgentCommands } from './commands/agent-cli.js';
import { type RunOptions, rootCommand, runProgram } from './run-program.js';

/** Run `vigil agent …` (argv without `node vigil`, starting with `agent`) and return the exit code. */
export function runAgentCli(argv: string[], options: RunOptions = {}): Promise<number> {
  return runProgram(argv, options, async (ctx) => {
    const program = rootCommand(ctx);
    registerAgentCommands(program, ctx);
    return program;
  });
}
