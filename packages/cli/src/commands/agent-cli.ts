/**
 * `vigil agent enroll|run|query|shell|install-service`: the agent on a device. Enrollment exits
 * with a distinct code per failure so install scripts can tell them apart.
 */

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
// The entry without TypeBox: `vigil agent run` loads this module and runs for weeks (ADR 0006).
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatJson, formatTable } from '../output.js';

/** Exit codes of `vigil agent enroll`. */
export const ENROLL_EXIT: Record<string, number> = {
  E_CA_MISMATCH: 3,
  E_ENROLLMENT_TOKEN_INVALID: 4,
  E_ENROLLMENT_TOKEN_EXPIRED: 4,
  E_ENROLLMENT_TOKEN_USED_UP: 4,
  E_ENROLLMENT_TOKEN_REVOKED: 4,
  E_CLOCK_SKEW: 5,
  E_KEY_CONFLICT: 6,
};

type Agent = typeof import('@vigil/agent');

async function agentModule(): Promise<Agent> {
  return import('@vigil/agent');
}

function toCell(v: unknown): string | number | null {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return null;
  return typeof v === 'number' || typeof v === 'string' ? v : String(v);
}

/** Print a local query result as a table or JSON. */
function printResult(
  ctx: CliContext,
  r: { columns: string[]; rows: Array<Record<string, unknown>>; warnings: string[] },
  json: boolean,
): void {
  if (json)
    ctx.io.out(
      formatJson(r.rows.map((row) => Object.fromEntries(r.columns.map((c) => [c, toCell(row[c])])))),
    );
  else
    ctx.io.out(
      r.rows.length
        ? formatTable(
            r.columns,
            r.rows.map((row) => r.columns.map((c) => toCell(row[c]))),
          )
        : 'No rows.\n',
    );
  for (const w of r.warnings.slice(0, 5)) ctx.io.err(`warning: ${w}\n`);
  if (r.warnings.length > 5) ctx.io.err(`(${r.warnings.length - 5} more warnings)\n`);
}

/** Register the agent commands. */
export function registerAgentCommands(program: Command, ctx: CliContext): void {
  const agent = program.command('agent').summary('run the agent on this device: enroll, run, local queries');

  agent
    .command('enroll')
    .description(
      "Enroll this device: pin the server CA, create this agent's key, and register it with a token.",
    )
    .requiredOption('--server <URL>', 'server URL, e.g. https://vigil.example:8443')
    .requiredOption('--token <TOKEN>', 'enrollment token (vigil enrollment create)')
    .requiredOption('--ca-fingerprint <SHA256>', "the server CA's fingerprint")
    .option(
      '--state <DIR>',
      'state directory (default /var/lib/vigil-agent as root, ~/.local/state/vigil-agent otherwise)',
    )
    .action(async (flags: { server: string; token: string; caFingerprint: string; state?: string }) => {
      const a = await agentModule();
      const stateDir = flags.state ?? a.defaultStateDir();
      try {
        const r = await a.enroll({
          server: flags.server,
          token: flags.token,
          caFingerprint: flags.caFingerprint,
          stateDir,
        });
        ctx.io.out(
          `Enrolled as agent ${r.agent_id} (account ${r.account_id})${r.created ? '' : ', already known to the server'}. State in ${stateDir}.\nStart it with: vigil agent run${flags.state ? ` --state ${flags.state}` : ''}\n`,
        );
      } catch (error) {
        if (error instanceof VigilError && ENROLL_EXIT[error.code]) {
          ctx.io.err(`error ${error.code}: ${error.message}\n`);
          process.exitCode = ENROLL_EXIT[error.code];
          return;
        }
        throw error;
      }
    });

  agent
    .command('run')
    .description(
      'Run the agent: keep one outbound channel to the server until stopped (SIGTERM says goodbye).',
    )
    .option('--state <DIR>', 'state directory')
    .option('--log-level <LEVEL>', 'fatal|error|warn|info|debug', 'info')
    .option(
      '--root <DIR>',
      'filesystem root the tables read (a mounted image or a test fixture; default /)',
      '/',
    )
    .option(
      '--watch <PATH>',
      'also watch this file or directory for changes (repeatable; the default list is in docs/monitoring.md)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--watch-ignore <GLOB>',
      'never report paths matching this glob (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--auth-log <PATH>',
      'the authentication log to follow (default /var/log/auth.log or /var/log/secure)',
    )
    .option('--no-monitors', 'run no threat monitors (no file, process, network or login detections)')
    .action(
      async (flags: {
        state?: string;
        logLevel: string;
        root: string;
        watch?: string[];
        watchIgnore?: string[];
        authLog?: string;
        monitors: boolean;
      }) => {
        // The narrow entry: the package's main one would load enrollment, loaders and declarations too.
        const a = await import('@vigil/agent/run');
        const { default: pino } = await import('pino');
        const log = pino({ level: flags.logLevel, base: { service: 'vigil-agent' } }, pino.destination(2));
        const stateDir = flags.state ?? a.defaultStateDir();
        const backoff = process.env.VIGIL_AGENT_BACKOFF_MS
          ? {
              baseMs: Number(process.env.VIGIL_AGENT_BACKOFF_MS),
              capMs: Number(process.env.VIGIL_AGENT_BACKOFF_MS) * 8,
            }
          : undefined;
        const monitors = flags.monitors
          ? {
              ...(flags.watch ? { watchPaths: flags.watch } : {}),
              ...(flags.watchIgnore ? { ignore: flags.watchIgnore } : {}),
              ...(flags.authLog ? { authLog: flags.authLog } : {}),
            }
          : (false as const);
        const started = a.startAgent({
          stateDir,
          log,
          root: flags.root,
          monitors,
          ...(backoff ? { backoff } : {}),
        });
        log.info(
          { agent_id: started.runtime.state.agent_id, server: started.runtime.state.server_url },
          'agent started',
        );
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            log.info({ signal }, 'stopping');
            started.stop().then(resolve, resolve);
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
          void started.runtime.done.then(resolve);
        });
      },
    );

  agent
    .command('query')
    .description("Run SQL over this machine's tables locally (no server needed).")
    .argument('<SQL>', 'a read-only SELECT')
    .option('--json', 'print rows as JSON')
    .option('--root <DIR>', 'read a different filesystem root (fixtures, mounted images)', '/')
    .action(async (sql: string, flags: { json?: boolean; root: string }) => {
      const a = await agentModule();
      const engine = a.createQueryEngine({ root: flags.root });
      try {
        printResult(ctx, engine.run(sql) as never, flags.json === true);
      } finally {
        engine.close();
      }
    });

  agent
    .command('shell')
    .description("An interactive SQL shell over this machine's tables (.tables, .schema NAME, .quit).")
    .option('--root <DIR>', 'filesystem root', '/')
    .action(async (flags: { root: string }) => {
      const a = await agentModule();
      const engine = a.createQueryEngine({ root: flags.root });
      const rl = createInterface({
        input: ctx.stdin,
        output: process.stdout,
        prompt: 'vigil> ',
        terminal: Boolean(ctx.stdin.isTTY),
      });
      rl.prompt();
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === '.quit' || line === '.exit') break;
        if (line === '.tables') ctx.io.out(`${engine.tables().join('\n')}\n`);
        else if (line.startsWith('.schema')) {
          const d = engine.schema(line.slice(7).trim());
          ctx.io.out(
            d
              ? formatTable(
                  ['column', 'type', 'description'],
                  d.columns.map((c) => [c.name, c.type, c.description ?? '']),
                )
              : 'no such table; .tables lists them\n',
          );
        } else if (line) {
          try {
            printResult(ctx, engine.run(line) as never, false);
          } catch (error) {
            ctx.io.err(`error ${(error as VigilError).code ?? 'E_INTERNAL'}: ${(error as Error).message}\n`);
          }
        }
        rl.prompt();
      }
      rl.close();
      engine.close();
    });

  agent
    .command('install-service')
    .description('Install and start the systemd unit (Restart=always) for this agent.')
    .option('--state <DIR>', 'state directory (must already be enrolled)')
    .action(async () => {
      const unit = fileURLToPath(new URL('../../../agent/systemd/vigil-agent.service', import.meta.url));
      const isSystemd = existsSync('/run/systemd/system');
      if (!isSystemd)
        throw new VigilError(
          'E_CONFIG',
          `systemd is not running here (no /run/systemd/system); install ${unit} by hand or run "vigil agent run" under your service manager`,
        );
      copyFileSync(unit, '/etc/systemd/system/vigil-agent.service');
      execFileSync('systemctl', ['daemon-reload']);
      execFileSync('systemctl', ['enable', '--now', 'vigil-agent.service']);
      ctx.io.out('Installed and started vigil-agent.service.\n');
    });
}
