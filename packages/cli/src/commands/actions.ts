/**
 * `vigil actions catalogue|run|status|list|approve|reject|cancel|undo|settings`: response actions
 * on devices, with rollout batches, offline policy, the two-person rule and undo. `run --wait`
 * follows the run to its end and exits non-zero when a device failed, timed out or expired.
 */
import {
  ACTION_RUN_STATUSES,
  type ActionDefinitionT,
  ActionName,
  type ActionRunDetailT,
  type ActionRunT,
  CreateActionRunBody,
  Id,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { ApiClient } from '../client/api-client.js';
import type { CliContext } from '../context.js';
import { formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, checkBody, ID_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { collectTarget, parseDuration, parseTargets } from './targets.js';

/** Run statuses after which nothing changes any more. */
export const FINAL_RUN_STATUSES = new Set(['completed', 'cancelled', 'rejected', 'failed', 'expired']);
/** Device statuses that count as a failure for `--wait`'s exit code. */
const BAD_DEVICE = new Set(['failed', 'timed_out', 'expired']);

const TARGET_HELP = 'all, group:NAME, device:ID, filter:EXPR or failing-check:CHECK (repeat to add)';

/** The `--target` values as the API's action targets (the usual ones plus failing-check:NAME). */
export function parseActionTargets(values: string[] | undefined): Record<string, unknown> {
  const failing = (values ?? []).filter((v) => v.startsWith('failing-check:'));
  if (failing.length > 1) throw new VigilError('E_USAGE', 'give at most one failing-check: target');
  const rest = (values ?? []).filter((v) => !v.startsWith('failing-check:'));
  const name = failing[0]?.slice('failing-check:'.length);
  if (failing.length === 1 && !name) throw new VigilError('E_USAGE', 'failing-check: needs a check name');
  return { ...(rest.length || !name ? parseTargets(rest) : {}), ...(name ? { failing_check: name } : {}) };
}

/** Type one `--param` value by the parameter's declared JSON Schema type (strings stay strings). */
export function typedParam(def: ActionDefinitionT | undefined, key: string, raw: string): unknown {
  const schema = (def?.params.properties[key] ?? {}) as { type?: string; items?: { type?: string } };
  const one = (type: string | undefined, text: string): unknown => {
    if (type === 'integer' || type === 'number') {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new VigilError('E_VALIDATION', `--param ${key} must be a number, got '${text}'`);
      return n;
    }
    if (type === 'boolean') {
      if (text !== 'true' && text !== 'false')
        throw new VigilError('E_VALIDATION', `--param ${key} must be true or false, got '${text}'`);
      return text === 'true';
    }
    return text;
  };
  if (schema.type === 'array') return raw === '' ? [] : raw.split(',').map((t) => one(schema.items?.type, t));
  return one(schema.type, raw);
}

/** Collect `--param k=v` into an object, typed by the catalogue's declaration. */
export function parseParams(def: ActionDefinitionT | undefined, values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of values) {
    const i = p.indexOf('=');
    if (i < 1) throw new VigilError('E_USAGE', `--param must be key=value, got '${p}'`);
    const key = p.slice(0, i);
    if (Object.hasOwn(out, key)) throw new VigilError('E_USAGE', `--param ${key} is given twice`);
    out[key] = typedParam(def, key, p.slice(i + 1));
  }
  return out;
}

function runId(id: string): string {
  return checkArg(Id, id, 'run id', ID_HINT);
}

function countsText(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace('_', ' ')}`);
  return parts.length ? parts.join(', ') : 'no devices';
}

/** One line about a run: what, where it is, and what to do next. */
export function runLine(r: ActionRunT): string {
  const what = `${r.action}${r.dry_run ? ' (dry run)' : ''}`;
  if (r.status === 'pending_approval') {
    const until = r.approval_expires_at ? ` until ${r.approval_expires_at}, then expires` : '';
    return `Run ${r.id}: ${what} waits for a second admin's approval${until} (vigil actions approve ${r.id}).\n`;
  }
  if (r.status === 'expired')
    return `Run ${r.id}: ${what} expired unapproved and was never sent${r.status_reason ? ` — ${r.status_reason}` : ''}; request it again if it is still needed.\n`;
  const batch = r.batch_count > 1 ? `, batch ${r.current_batch}/${r.batch_count}` : '';
  const why = r.status_reason ? ` — ${r.status_reason}` : '';
  return `Run ${r.id}: ${what} ${r.status.replace('_', ' ')}${batch}; ${countsText(r.counts)}${why}.\n`;
}

function deviceTable(run: ActionRunDetailT): string {
  return formatTable(
    ['hostname', 'batch', 'status', 'summary or error', 'finished'],
    run.devices.map((d) => [
      d.hostname || d.device_id,
      d.batch,
      d.status,
      d.error ?? ((d.result as { summary?: string } | null)?.summary || null),
      shortTime(d.finished_at),
    ]),
  );
}

/** Poll a run until it ends or the time is up; prints device changes as they happen. */
async function follow(
  ctx: CliContext,
  client: ApiClient,
  id: string,
  timeoutMs: number,
  quiet: boolean,
): Promise<ActionRunDetailT> {
  const seen = new Map<string, string>();
  let said = '';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.get<ActionRunDetailT>(`/api/v1/actions/${encodeURIComponent(id)}`);
    if (!quiet) {
      if (run.status !== said) {
        if (run.status === 'pending_approval') ctx.io.err('waiting for a second admin to approve…\n');
        said = run.status;
      }
      for (const d of run.devices) {
        if (seen.get(d.device_id) === d.status) continue;
        seen.set(d.device_id, d.status);
        if (d.status !== 'pending')
          ctx.io.err(
            `  batch ${d.batch}: ${d.hostname || d.device_id} ${d.status}${d.error ? `: ${d.error}` : ''}\n`,
          );
      }
    }
    if (FINAL_RUN_STATUSES.has(run.status)) return run;
    if (Date.now() >= deadline)
      throw new VigilError(
        'E_ACTION_RUN_FAILED',
        `run ${id} is still ${run.status.replace('_', ' ')} after the --timeout; follow it with vigil actions status ${id}`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Print the end of a followed run and fail when it did not go well. */
function finishFollowed(ctx: CliContext, json: boolean | undefined, run: ActionRunDetailT): void {
  emit(ctx, json, run, () => `${deviceTable(run)}${runLine(run)}`);
  const bad = run.devices.filter((d) => BAD_DEVICE.has(d.status));
  if (run.status !== 'completed' || bad.length > 0)
    throw new VigilError(
      'E_ACTION_RUN_FAILED',
      `run ${run.id} ${run.status.replace('_', ' ')}${bad.length ? `: ${bad.length} device(s) failed, timed out or expired` : ''}`,
    );
}

/** Register `vigil actions …`. */
export function registerActionCommands(program: Command, ctx: CliContext): void {
  const actions = program
    .command('actions')
    .summary('response actions: run, approve, follow, cancel and undo them');

  withJson(
    actions.command('catalogue').description('Every action: risk, approval, dry run, undo, parameters.'),
  ).action(async (flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const cat = await client.get<{ items: Array<ActionDefinitionT & { needs_approval: boolean }> }>(
      '/api/v1/actions/catalogue',
    );
    emit(
      ctx,
      flags.json,
      cat,
      () =>
        formatTable(
          ['name', 'risk', 'approval', 'dry run', 'undo', 'platforms', 'parameters'],
          cat.items.map((d) => [
            d.name,
            d.risk,
            d.needs_approval ? 'yes' : 'no',
            d.dry_run ? 'yes' : 'no',
            d.undo ?? null,
            d.platforms.map((p) => (p.verified ? p.platform : `${p.platform}*`)),
            Object.keys(d.params.properties),
          ]),
        ) + '* declared, not yet verified on a real host of that platform\n',
    );
  });

  withJson(
    actions
      .command('run')
      .description(
        'Run an action on devices. High-risk actions wait for a second admin unless the account turned that off.',
      )
      .argument('<NAME>', 'the action, e.g. process.kill (vigil actions catalogue lists them)')
      .option(
        '--param <k=v>',
        'a parameter (repeat); typed by the catalogue, lists comma-separated',
        collectTarget,
        [],
      )
      .option('--target <TARGET>', TARGET_HELP, collectTarget, [])
      .option('--dry-run', 'report what would change, change nothing')
      .option('--batch-size <N>', 'send to N devices at a time')
      .option('--pause <DURATION>', 'wait this long after a batch finished before the next (e.g. 30s)')
      .option(
        '--stop-if-failure-rate <RATE>',
        'stop when more than this fraction (0-1) of finished devices failed',
      )
      .option('--offline <POLICY>', 'queue (send when the device is back) or skip (default)')
      .option('--offline-expiry <DURATION>', 'how long a queued device may take to come back (default 24h)')
      .option('--reason <TEXT>', 'why (shown to the approver and in the audit log)')
      .option('--wait', 'follow the run to its end; non-zero exit if a device failed')
      .option('--timeout <DURATION>', 'how long --wait waits (default 10m)', '10m'),
  ).action(
    async (
      name: string,
      flags: {
        param: string[];
        target: string[];
        dryRun?: boolean;
        batchSize?: string;
        pause?: string;
        stopIfFailureRate?: string;
        offline?: string;
        offlineExpiry?: string;
        reason?: string;
        wait?: boolean;
        timeout: string;
        json?: boolean;
      },
    ) => {
      checkArg(ActionName, name, 'action', 'names look like process.kill (vigil actions catalogue)');
      const targets = parseActionTargets(flags.target);
      if (flags.offline && flags.offline !== 'queue' && flags.offline !== 'skip')
        throw new VigilError('E_USAGE', `--offline must be queue or skip, got '${flags.offline}'`);
      if (flags.offlineExpiry && flags.offline !== 'queue')
        throw new VigilError('E_USAGE', '--offline-expiry only applies with --offline queue');
      let rate: number | undefined;
      if (flags.stopIfFailureRate !== undefined) {
        rate = Number(flags.stopIfFailureRate);
        if (!/^\d*\.?\d+$/.test(flags.stopIfFailureRate.trim()) || rate > 1)
          throw new VigilError(
            'E_VALIDATION',
            `--stop-if-failure-rate must be a fraction from 0 to 1 (0.2 = 20%), got '${flags.stopIfFailureRate}'`,
          );
      }
      const timeoutMs = parseDuration(flags.timeout, '--timeout') * 1000;
      const rollout = {
        ...(flags.batchSize ? { batch_size: parseIntArg(flags.batchSize, '--batch-size', 1, 100_000) } : {}),
        ...(flags.pause ? { pause_s: parseDuration(flags.pause, '--pause') } : {}),
        ...(rate !== undefined ? { stop_if_failure_rate: rate } : {}),
      };
      const client = await ctx.connect();
      // The catalogue types the parameters (pid=42 is a number, name=42 a string).
      const catalogue = flags.param.length
        ? (await client.get<{ items: ActionDefinitionT[] }>('/api/v1/actions/catalogue')).items
        : [];
      const body = checkBody(CreateActionRunBody, {
        action: name,
        params: parseParams(
          catalogue.find((d) => d.name === name),
          flags.param,
        ),
        targets,
        ...(flags.dryRun ? { dry_run: true } : {}),
        ...(Object.keys(rollout).length ? { rollout } : {}),
        ...(flags.offline
          ? {
              offline: {
                policy: flags.offline,
                ...(flags.offlineExpiry
                  ? { expiry_s: parseDuration(flags.offlineExpiry, '--offline-expiry') }
                  : {}),
              },
            }
          : {}),
        ...(flags.reason ? { reason: flags.reason } : {}),
      });
      const run = await client.post<ActionRunT>('/api/v1/actions', body);
      if (!flags.wait) {
        emit(ctx, flags.json, run, () => runLine(run));
        return;
      }
      if (!flags.json) ctx.io.err(runLine(run));
      finishFollowed(ctx, flags.json, await follow(ctx, client, run.id, timeoutMs, Boolean(flags.json)));
    },
  );

  withJson(
    actions
      .command('status')
      .description('One run: its state and every device with its batch, status and result.')
      .argument('<ID>', 'run id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const path = `/api/v1/actions/${encodeURIComponent(runId(id))}`;
    const client = await ctx.connect();
    const run = await client.get<ActionRunDetailT>(path);
    emit(ctx, flags.json, run, () =>
      [
        formatDetails([
          ['Run', run.id],
          ['Action', `${run.action}${run.dry_run ? ' (dry run)' : ''}`],
          ['Parameters', JSON.stringify(run.params)],
          ['Risk', run.risk],
          ['Status', run.status + (run.status_reason ? ` — ${run.status_reason}` : '')],
          ['Requested by', `${run.requested_by.name} at ${shortTime(run.created_at)}`],
          ['Reason', run.reason],
          [
            'Approved by',
            run.approved_by ? `${run.approved_by.name} at ${shortTime(run.approved_at)}` : null,
          ],
          [
            'Rollout',
            `${run.rollout.batch_size ? `batches of ${run.rollout.batch_size}` : 'one batch'}, batch ${run.current_batch}/${run.batch_count}, pause ${run.rollout.pause_s}s${run.rollout.stop_if_failure_rate !== null ? `, stop above ${run.rollout.stop_if_failure_rate} failed` : ''}`,
          ],
          ['Offline', run.offline.policy === 'queue' ? `queue for ${run.offline.expiry_s}s` : 'skip'],
          ['Undo of', run.undo_of],
          ['Devices', countsText(run.counts)],
        ]),
        run.devices.length ? deviceTable(run) : '',
      ].join(''),
    );
  });

  withJson(
    actions
      .command('list')
      .description('Action runs, newest first.')
      .option('--status <STATUS>', `one of ${ACTION_RUN_STATUSES.join(', ')}`)
      .option('--action <NAME>', 'one action')
      .option('--limit <N>', 'how many (default 50)'),
  ).action(async (flags: { status?: string; action?: string; limit?: string; json?: boolean }) => {
    if (flags.status && !(ACTION_RUN_STATUSES as readonly string[]).includes(flags.status))
      throw new VigilError('E_VALIDATION', `--status must be one of ${ACTION_RUN_STATUSES.join(', ')}`);
    const client = await ctx.connect();
    const page = await client.get<{ items: ActionRunT[] }>('/api/v1/actions', {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.action ? { action: checkArg(ActionName, flags.action, '--action') } : {}),
      limit: flags.limit ? parseIntArg(flags.limit, '--limit', 1, 500) : 50,
    });
    emit(ctx, flags.json, page, () =>
      page.items.length === 0
        ? 'No action runs.\n'
        : formatTable(
            ['id', 'action', 'status', 'requested by', 'created', 'devices'],
            page.items.map((r) => [
              r.id,
              `${r.action}${r.dry_run ? ' (dry run)' : ''}`,
              r.status,
              r.requested_by.name,
              shortTime(r.created_at),
              countsText(r.counts),
            ]),
          ),
    );
  });

  const decisions: Array<[string, string]> = [
    ['approve', 'Approve a run waiting for a second admin (admin; never your own).'],
    ['reject', 'Reject a run waiting for approval (admin).'],
    ['cancel', 'Cancel a waiting or running run: nothing more is sent (admins any, analysts their own).'],
  ];
  for (const [verb, description] of decisions)
    withJson(
      actions
        .command(verb)
        .description(description)
        .argument('<ID>', 'run id')
        .option('--reason <TEXT>', 'why (kept in the audit log)'),
    ).action(async (id: string, flags: { reason?: string; json?: boolean }) => {
      const path = `/api/v1/actions/${encodeURIComponent(runId(id))}/${verb}`;
      const client = await ctx.connect();
      const run = await client.post<ActionRunT>(path, flags.reason ? { reason: flags.reason } : {});
      emit(ctx, flags.json, run, () => runLine(run));
    });

  withJson(
    actions
      .command('undo')
      .description('Start a run that undoes what the succeeded devices of a finished run did.')
      .argument('<ID>', 'run id')
      .option('--reason <TEXT>', 'why')
      .option('--wait', 'follow the undo run to its end')
      .option('--timeout <DURATION>', 'how long --wait waits (default 10m)', '10m'),
  ).action(
    async (id: string, flags: { reason?: string; wait?: boolean; timeout: string; json?: boolean }) => {
      const timeoutMs = parseDuration(flags.timeout, '--timeout') * 1000;
      const path = `/api/v1/actions/${encodeURIComponent(runId(id))}/undo`;
      const client = await ctx.connect();
      const run = await client.post<ActionRunT>(path, flags.reason ? { reason: flags.reason } : {});
      if (!flags.wait) {
        emit(ctx, flags.json, run, () => runLine(run));
        return;
      }
      if (!flags.json) ctx.io.err(runLine(run));
      finishFollowed(ctx, flags.json, await follow(ctx, client, run.id, timeoutMs, Boolean(flags.json)));
    },
  );

  withJson(
    actions
      .command('settings')
      .description("Show the account's action settings, or change them (admin).")
      .option('--require-approval <on|off>', 'the two-person rule for high-risk and approval-marked actions'),
  ).action(async (flags: { requireApproval?: string; json?: boolean }) => {
    const client = await ctx.connect();
    let settings: { require_approval: boolean };
    if (flags.requireApproval === undefined) settings = await client.get('/api/v1/actions/settings');
    else {
      if (flags.requireApproval !== 'on' && flags.requireApproval !== 'off')
        throw new VigilError(
          'E_USAGE',
          `--require-approval must be on or off, got '${flags.requireApproval}'`,
        );
      settings = (
        await client.request<{ require_approval: boolean }>('PUT', '/api/v1/actions/settings', {
          body: { require_approval: flags.requireApproval === 'on' },
        })
      ).body;
    }
    emit(
      ctx,
      flags.json,
      settings,
      () => `Two-person rule for high-risk actions: ${settings.require_approval ? 'on' : 'off'}.\n`,
    );
  });
}
