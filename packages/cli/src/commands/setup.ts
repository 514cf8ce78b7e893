/** `vigil setup`: create the first admin of a server whose store has no user yet. */

import { SetupBody, type UserT, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { establishTrust } from '../client/ca-trust.js';
import { normaliseServerUrl } from '../client/server-url.js';
import type { CliContext } from '../context.js';
import { formatDetails } from '../output.js';
import { promptHidden, readSecret } from '../prompt.js';
import { checkBody } from '../validate-args.js';
import { emit, type TrustFlags, withJson, withTrustOptions } from './common.js';

interface SetupFlags extends TrustFlags {
  server: string;
  email: string;
  password?: string;
  passwordStdin?: boolean;
  name?: string;
  accountName?: string;
  json?: boolean;
}

async function password(ctx: CliContext, flags: SetupFlags): Promise<string> {
  if (flags.password !== undefined && flags.passwordStdin)
    throw new VigilError('E_USAGE', 'give --password or --password-stdin, not both');
  if (flags.password !== undefined) return flags.password;
  if (flags.passwordStdin) return readSecret(ctx.stdin, true, '', ctx.io.err);
  const first = await promptHidden(
    ctx.stdin,
    'New admin password (12+ characters): ',
    ctx.io.err,
    '--password-stdin',
  );
  const again = await promptHidden(ctx.stdin, 'Repeat the password: ', ctx.io.err, '--password-stdin');
  if (first !== again) throw new VigilError('E_VALIDATION', 'the passwords do not match');
  return first;
}

/** Register `vigil setup`. */
export function registerSetupCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('setup')
    .summary('create the first admin of a new server')
    .description(
      'Create the first admin of a server whose store has no user yet. The password can come from stdin (--password-stdin) so it never shows in the process list.',
    )
    .requiredOption('--server <URL>', 'the server, e.g. https://127.0.0.1:8443')
    .requiredOption('--email <EMAIL>', "the admin's e-mail address")
    .option(
      '--password <PASSWORD>',
      'the admin password (visible in the process list; prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from stdin')
    .option('--name <NAME>', "the admin's display name")
    .option('--account-name <NAME>', 'the name of the first account (default "Default")');
  withJson(withTrustOptions(cmd)).action(async (flags: SetupFlags) => {
    const server = normaliseServerUrl(flags.server);
    const pin = flags.caFingerprint ?? ctx.env.VIGIL_CA_FINGERPRINT;
    const body = checkBody(SetupBody, {
      email: flags.email,
      password: await password(ctx, flags),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.accountName ? { account_name: flags.accountName } : {}),
    });
    const ca = await establishTrust(server, { pin, trustOnFirstUse: flags.insecureTrustOnFirstUse });
    const client = ctx.track(new ApiClient({ server, caPem: ca.pem }));
    let user: UserT;
    try {
      user = await client.post<UserT>('/api/v1/setup', body);
    } catch (error) {
      if (error instanceof VigilError && error.code === 'E_SETUP_DONE') {
        throw new VigilError(
          'E_SETUP_DONE',
          `${server} already has users, so setup is closed. Log in with vigil login --server ${server} --ca-fingerprint ${ca.fingerprint}; an admin adds users with vigil users create.`,
        );
      }
      throw error;
    }
    emit(ctx, flags.json, user, () =>
      formatDetails([
        ['Created admin', user.email],
        ['Role', user.role],
        ['Next', `vigil login --server ${server} --ca-fingerprint ${ca.fingerprint} --email ${user.email}`],
      ]),
    );
  });
}
