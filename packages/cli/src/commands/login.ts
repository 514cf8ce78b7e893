/**
 * `vigil login`, `vigil logout`, `vigil whoami`. Login pins the server's CA, opens a session with
 * e-mail and password, trades it for an API token of the user's role, stores server, CA and
 * token (0600), and closes the session. The password and token are never printed.
 */
import { hostname } from 'node:os';
import { type CreateApiTokenBodyT, CreatedApiToken, Email, type UserT, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { establishTrust } from '../client/ca-trust.js';
import { normaliseServerUrl } from '../client/server-url.js';
import type { CliContext } from '../context.js';
import { formatDetails } from '../output.js';
import { promptLine, readSecret } from '../prompt.js';
import { readSettings, removeSettings, writeSettings } from '../settings.js';
import { checkArg } from '../validate-args.js';
import { emit, type TrustFlags, withJson, withTrustOptions } from './common.js';

interface LoginFlags extends TrustFlags {
  server: string;
  email?: string;
  passwordStdin?: boolean;
  tokenDays?: string;
}

interface SessionAnswer {
  user: UserT;
  account: { id: string; name: string };
  csrf_token: string;
}

/** A token name the API accepts: `cli-<host>-<YYYY-MM-DD>`, host reduced to allowed characters. */
export function cliTokenName(host: string, now: Date = new Date()): string {
  const date = now.toISOString().slice(0, 10);
  const cleanHost = host.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'host';
  return `cli-${cleanHost}-${date}`;
}

function sessionCookie(headers: Headers): string {
  const setCookies = headers.getSetCookie?.() ?? [];
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0] ?? '';
    if (pair.startsWith('vigil_session=')) return pair;
  }
  throw new VigilError('E_INTERNAL', 'the server did not return a session cookie');
}

async function login(ctx: CliContext, flags: LoginFlags): Promise<void> {
  const server = normaliseServerUrl(flags.server);
  const pin = flags.caFingerprint ?? ctx.env.VIGIL_CA_FINGERPRINT;
  const email = checkArg(
    Email,
    flags.email ?? (await promptLine(ctx.stdin, 'E-mail: ', '--email')),
    '--email',
  );
  const days = flags.tokenDays === undefined ? undefined : Number(flags.tokenDays);
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
    throw new VigilError(
      'E_VALIDATION',
      `--token-days must be a whole number from 1 to 3650, got '${flags.tokenDays}'`,
    );
  }
  const ca = await establishTrust(server, { pin, trustOnFirstUse: flags.insecureTrustOnFirstUse });
  const password = await readSecret(ctx.stdin, flags.passwordStdin, `Password for ${email}: `, ctx.io.err);

  // From here on TLS is verified against the CA just pinned; the password only travels that way.
  const client = ctx.track(new ApiClient({ server, caPem: ca.pem }));
  const session = await client.request<SessionAnswer>('POST', '/api/v1/sessions', {
    body: { email, password },
  });
  const auth = { cookie: sessionCookie(session.headers), 'x-csrf-token': session.body.csrf_token };
  try {
    const request: CreateApiTokenBodyT = {
      name: cliTokenName(hostname()),
      role: session.body.user.role,
      ...(days ? { expires_in_days: days } : {}),
    };
    const created = await client.request<unknown>('POST', '/api/v1/api-tokens', {
      body: request,
      headers: auth,
    });
    const token = checkArg(CreatedApiToken, created.body, 'the created token');
    const file = writeSettings(ctx.configDir, {
      server,
      ca_pem: ca.pem,
      ca_fingerprint: ca.fingerprint,
      token: token.secret,
      token_id: token.token.id,
      email: session.body.user.email,
      saved_at: new Date().toISOString(),
    });
    ctx.io.out(
      formatDetails([
        ['Logged in to', server],
        [
          'As',
          `${session.body.user.email} (${session.body.user.role}, account ${session.body.account.name})`,
        ],
        ['API token', `${token.token.name} (id ${token.token.id})`],
        ['Saved to', file],
      ]),
    );
  } finally {
    await client.request('DELETE', '/api/v1/sessions', { headers: auth }).catch(() => undefined);
  }
}

/** Register `vigil login`, `vigil logout` and `vigil whoami`. */
export function registerLoginCommands(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('login')
    .summary('pin a server and store an API token for it')
    .description(
      "Pin the server's CA by its fingerprint, log in, and store the server, the CA and a new API token (of your role) in the config directory (mode 0600). The password is read from a terminal with echo off, or from stdin with --password-stdin.",
    )
    .requiredOption('--server <URL>', 'the server, e.g. https://127.0.0.1:8443')
    .option('--email <EMAIL>', 'your e-mail address (asked for when omitted)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--token-days <DAYS>', 'let the stored API token expire after this many days (default: never)');
  withTrustOptions(cmd).action((flags: LoginFlags) => login(ctx, flags));

  program
    .command('logout')
    .summary('forget the stored server and token')
    .description(
      'Delete the stored settings. The API token stays valid until an admin revokes it (vigil api-token revoke ID).',
    )
    .action(() => {
      const settings = readSettings(ctx.configDir);
      if (!removeSettings(ctx.configDir)) {
        ctx.io.out('Not logged in.\n');
        return;
      }
      ctx.io.out(
        `Forgot ${settings?.server ?? 'the server'}. Token ${settings?.token_id ?? ''} stays valid until revoked.\n`,
      );
    });

  withJson(program.command('whoami').summary('show the user and account the token belongs to')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const me = await client.get<{ user: UserT; account: { id: string; name: string }; via: string }>(
        '/api/v1/me',
      );
      emit(ctx, flags.json, me, () =>
        formatDetails([
          ['Server', client.server],
          ['User', me.user.email],
          ['Role', me.user.role],
          ['Account', `${me.account.name} (${me.account.id})`],
        ]),
      );
    },
  );
}
