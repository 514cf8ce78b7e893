/** Options and output helpers shared by the commands. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatJson } from '../output.js';

/** Options naming how to trust a server the first time. */
export interface TrustFlags {
  caFingerprint?: string;
  insecureTrustOnFirstUse?: boolean;
}

/** Add `--ca-fingerprint` and `--insecure-trust-on-first-use`. */
export function withTrustOptions(cmd: Command): Command {
  return cmd
    .option(
      '--ca-fingerprint <SHA256>',
      "the server CA's fingerprint, as its banner printed it [env VIGIL_CA_FINGERPRINT]",
    )
    .option(
      '--insecure-trust-on-first-use',
      'accept the CA the server presents without checking its fingerprint',
    );
}

/** Add `--json`. */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print the API answer as JSON');
}

/** Print the API value as JSON, or the human rendering of it. */
export function emit(ctx: CliContext, json: boolean | undefined, value: unknown, human: () => string): void {
  ctx.io.out(json ? formatJson(value) : human());
}
