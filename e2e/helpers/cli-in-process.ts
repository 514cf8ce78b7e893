/**
 * Run the `vigil` command tree inside the test process: the same program, HTTP client and
 * output code as the binary, without paying a Node start per call. Use it for the many
 * read-and-check steps; use runCli (a real child process) where exit codes and streams matter.
 */
import { Readable } from 'node:stream';
import { runCli as runProgram } from '../../packages/cli/src/program.js';
import type { CliResult } from './cli-process.js';

/** Run `vigil <args>` in-process with only `env` as its environment. */
export async function runCliInProcess(
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runProgram(args, {
    io: {
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
    },
    env: { ...env },
    stdin: Readable.from([input]),
  });
  return { code, signal: null, stdout, stderr };
}
