/** `vigil checks list|show|results|scan|compliance|override`. */
import { Name, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, NAME_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { collectTarget, parseDuration, parseTargets } from './targets.js';

interface CheckRow {
  device_id: string;
  hostname: string;
  check_name: string;
  severity: string;
  status: string;
  since: string;
  last_run_at: string;
}

/** Register the checks commands. */
export function registerCheckCommands(program: Command, ctx: CliContext): void {
  const checks = program.command('checks').summary('detection checks: catalogue, results, scans, compliance');
  withJson(
    checks
      .command('list')
      .description('The check catalogue.')
      .option('--search <TEXT>', 'name or title contains')
      .option('--category <C>', 'one category'),
  ).action(async (flags: { search?: string; category?: string; json?: boolean }) => {
    const client = await ctx.connect();
    const page = await client.get<{
      items: Array<{ name: string; title: string; severity: string; category: string }>;
    }>('/api/v1/checks', {
      ...(flags.search ? { q: flags.search } : {}),
      ...(flags.category ? { category: flags.category } : {}),
    });
    emit(
      ctx,
      flags.json,
      page,
      () =>
        `${formatTable(
          ['name', 'severity', 'title'],
          page.items.map((c) => [c.name, c.severity, c.title]),
        )}${page.items.length} checks\n`,
    );
  });
  withJson(
    checks
      .command('show')
      .description('One check: why, query, remediation.')
      .argument('<NAME>', 'e.g. Linux.Ssh.RootLoginDisabled'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const c = await client.get<{
      name: string;
      title: string;
      description: string;
      severity: string;
      query: string;
      remediation: { text: string };
    }>(`/api/v1/checks/${encodeURIComponent(name)}`);
    emit(ctx, flags.json, c, () =>
      formatDetails([
        ['Name', c.name],
        ['Title', c.title],
        ['Severity', c.severity],
        ['Why', c.description.trim()],
        ['Query', c.query.trim()],
        ['Remediation', c.remediation.text.trim()],
      ]),
    );
  });
  withJson(
    checks
      .command('results')
      .description('Current results per device and check.')
      .option('--failing', 'only failing')
      .option('--device <ID>', 'one device')
      .option('--check <NAME>', 'one check')
      .option('--group <GROUP>', 'one group'),
  ).action(
    async (flags: { failing?: boolean; device?: string; check?: string; group?: string; json?: boolean }) => {
      const client = await ctx.connect();
      const page = await client.get<{ items: CheckRow[] }>('/api/v1/checks/results', {
        ...(flags.failing ? { failing: true } : {}),
        ...(flags.device ? { device: flags.device } : {}),
        ...(flags.check ? { check: flags.check } : {}),
        ...(flags.group ? { group: checkArg(Name, flags.group, '--group', NAME_HINT) } : {}),
      });
      emit(ctx, flags.json, page, () =>
        page.items.length === 0
          ? 'No results.\n'
          : formatTable(
              ['hostname', 'check', 'severity', 'status', 'since'],
              page.items.map((r) => [r.hostname, r.check_name, r.severity, r.status, shortTime(r.since)]),
            ),
      );
    },
  );
  withJson(
    checks
      .command('compliance')
      .description('Compliance score now, most-failed checks, and trend.')
      .option('--group <GROUP>', 'one group'),
  ).action(async (flags: { group?: string; json?: boolean }) => {
    const client = await ctx.connect();
    const c = await client.get<{
      score: number | null;
      passing: number;
      applicable: number;
      most_failed: Array<{ check: string; devices: number }>;
    }>('/api/v1/checks/compliance', flags.group ? { group: flags.group } : {});
    emit(
      ctx,
      flags.json,
      c,
      () =>
        `Compliance ${c.score === null ? 'n/a' : `${c.score}%`} (${c.passing} of ${c.applicable} results passing, weighted by severity)\n${
          c.most_failed.length
            ? formatTable(
                ['most failed', 'devices'],
                c.most_failed.map((m) => [m.check, m.devices]),
              )
            : ''
        }`,
    );
  });
  withJson(
    checks
      .command('scan')
      .description('Run the full rule set now on the targeted online devices and wait for their results.')
      .option(
        '--target <TARGET>',
        'all, group:NAME, device:ID or filter:EXPR (repeat to add)',
        collectTarget,
        [],
      )
      .option('--timeout <DURATION>', 'how long to wait for results (default 60s)', '60s'),
  ).action(async (flags: { target: string[]; timeout: string; json?: boolean }) => {
    const targets = parseTargets(flags.target);
    const timeoutMs = parseDuration(flags.timeout, '--timeout') * 1000;
    const client = await ctx.connect();
    const started = new Date().toISOString();
    const scan = await client.post<{ scan_id: string; targeted: number; online: number }>(
      '/api/v1/checks/scan',
      { targets },
    );
    if (!flags.json) ctx.io.err(`scan ${scan.scan_id}: ${scan.targeted} targeted, ${scan.online} online\n`);
    const deadline = Date.now() + timeoutMs;
    let reported = 0;
    let rows: CheckRow[] = [];
    while (Date.now() < deadline) {
      rows = (await client.get<{ items: CheckRow[] }>('/api/v1/checks/results')).items.filter(
        (r) => r.last_run_at >= started,
      );
      const devices = new Set(rows.map((r) => r.device_id)).size;
      if (devices !== reported && !flags.json) ctx.io.err(`  ${devices}/${scan.online} devices reported\n`);
      reported = devices;
      if (devices >= scan.online) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const failing = rows.filter((r) => r.status === 'fail');
    const compliance = await client.get<{ score: number | null }>('/api/v1/checks/compliance');
    const result = {
      ...scan,
      reported,
      results: rows.length,
      failing: failing.length,
      compliance: compliance.score,
    };
    emit(
      ctx,
      flags.json,
      result,
      () =>
        `${
          failing.length
            ? formatTable(
                ['hostname', 'failing check', 'severity'],
                failing.map((r) => [r.hostname, r.check_name, r.severity]),
              )
            : ''
        }${reported}/${scan.online} devices reported ${rows.length} results, ${failing.length} failing; compliance ${compliance.score ?? 'n/a'}%\n`,
    );
    if (reported < scan.online)
      throw new VigilError(
        'E_QUERY_FAILED',
        `${scan.online - reported} device(s) did not report within ${flags.timeout}`,
      );
  });
  withJson(
    checks
      .command('override')
      .description('Enable/disable a check or set its parameters for the account or a group (admin).')
      .argument('<NAME>', 'check name')
      .option('--group <GROUP>', 'only this group')
      .option('--enable', 'enable it')
      .option('--disable', 'disable it')
      .option(
        '--param <k=v>',
        'parameter value (repeat); numbers and true/false are typed',
        collectTarget,
        [],
      ),
  ).action(
    async (
      name: string,
      flags: { group?: string; enable?: boolean; disable?: boolean; param: string[]; json?: boolean },
    ) => {
      if (flags.enable && flags.disable) throw new VigilError('E_USAGE', 'choose --enable or --disable');
      const params: Record<string, unknown> = {};
      for (const p of flags.param) {
        const i = p.indexOf('=');
        if (i < 1) throw new VigilError('E_USAGE', `--param must be key=value, got '${p}'`);
        const raw = p.slice(i + 1);
        params[p.slice(0, i)] = /^-?\d+(\.\d+)?$/.test(raw)
          ? Number(raw)
          : raw === 'true'
            ? true
            : raw === 'false'
              ? false
              : raw;
      }
      const client = await ctx.connect();
      const r = await client.request<unknown>('PUT', '/api/v1/checks/overrides', {
        body: {
          check: name,
          ...(flags.group ? { group: flags.group } : {}),
          ...(flags.enable ? { enabled: true } : flags.disable ? { enabled: false } : {}),
          ...(flags.param.length ? { params } : {}),
        },
      });
      emit(
        ctx,
        flags.json,
        r.body,
        () =>
          `Override saved for ${name}${flags.group ? ` in group ${flags.group}` : ''}; rule sets re-pushed.\n`,
      );
    },
  );
}
