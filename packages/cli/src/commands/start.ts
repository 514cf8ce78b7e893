/**
 * `vigil start` (what `npm start` runs): the embedded default in one command — the server on
 * https://127.0.0.1:8443 with SQLite in ./.vigil, plus one agent for this machine, enrolled on
 * first start through the real enrollment endpoint and run as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { bannerText, type ServerModule } from './server.js';

/** Register `vigil start`. */
export function registerStartCommand(program: Command, ctx: CliContext, server: ServerModule | null): void {
  program
    .command('start')
    .summary('start Vigil with its embedded defaults (server + a local agent)')
    .description(
      'Start the server on https://127.0.0.1:8443 with SQLite in ./.vigil and enroll and run one agent for this machine.',
    )
    .option('--data <DIR>', 'data directory', '.vigil')
    .option('--listen <HOST:PORT>', 'address to listen on', '127.0.0.1:8443')
    .option('--admin-email <EMAIL>', 'the first admin', 'admin@vigil.local')
    .option('--no-agent', 'start the server only')
    .action(async (flags: { data: string; listen: string; adminEmail: string; agent: boolean }) => {
      if (!server) throw new Error('the server module was not loaded');
      const agentMod = await import('@vigil/agent');
      const dataDir = resolve(flags.data);
      const config = server.resolveServerConfig({
        flags: {
          data: dataDir,
          listen: flags.listen,
          adminEmail: flags.adminEmail,
          logLevel: ctx.env.VIGIL_LOG_LEVEL ?? 'warn',
        },
      });
      const started = await server.startServer(config);
      const { vigil } = started;
      ctx.io.out(
        bannerText({
          url: started.url,
          adminEmail: started.adminEmail,
          adminPassword: started.adminPassword,
          caFingerprint: vigil.services.keys.caFingerprint,
        }),
      );
      let child: ChildProcess | undefined;
      if (flags.agent) {
        const stateDir = join(dataDir, 'agent');
        if (!agentMod.isEnrolled(stateDir)) {
          const admin = (
            await vigil.services.repos.users.list(
              (
                await vigil.services.store.db
                  .selectFrom('accounts')
                  .select('id')
                  .orderBy('created_at')
                  .executeTakeFirstOrThrow()
              ).id,
            )
          ).find((u) => u.role === 'admin');
          if (!admin) throw new Error('no admin user to create the local enrollment token with');
          const principal = {
            kind: 'session' as const,
            userId: admin.id,
            accountId: admin.account_id,
            role: 'admin' as const,
            email: admin.email,
          };
          const token = await vigil.services.enrollment.createToken(
            { principal, ip: null },
            { tags: ['local'], uses: 1, expires_in_s: 600 },
          );
          await agentMod.enroll({
            server: started.url,
            token: token.token,
            caFingerprint: vigil.services.keys.caFingerprint,
            stateDir,
          });
        }
        const launcher = fileURLToPath(new URL('../../bin/vigil.js', import.meta.url));
        child = spawn(
          process.execPath,
          [launcher, 'agent', 'run', '--state', stateDir, '--log-level', 'warn'],
          { stdio: ['ignore', 'inherit', 'inherit'] },
        );
        ctx.io.out(
          `  Local agent:      ${agentMod.loadIdentity(stateDir).state.agent_id} (state in ${stateDir})\n`,
        );
      }
      await new Promise<void>((done) => {
        const stop = async () => {
          if (child && child.exitCode === null) {
            child.kill('SIGTERM');
            await new Promise((r) => child?.once('exit', r));
          }
          await vigil.close();
          done();
        };
        process.once('SIGTERM', () => void stop());
        process.once('SIGINT', () => void stop());
      });
    });
}
