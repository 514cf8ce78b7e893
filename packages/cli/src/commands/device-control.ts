/** `vigil devices revoke ID` and `vigil devices mode ID live|poll`. */
import { type DeviceT, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { deviceId } from './devices.js';

/** Add revoke and mode to the existing `devices` command. */
export function registerDeviceControlCommands(program: Command, ctx: CliContext): void {
  const devices = program.commands.find((c) => c.name() === 'devices');
  if (!devices) throw new Error('register the devices commands first');
  withJson(
    devices
      .command('revoke')
      .description('Revoke a device: disconnect it now; its key can never connect again (admin).')
      .argument('<ID>', 'device id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const d = await client.post<DeviceT>(`/api/v1/devices/${encodeURIComponent(deviceId(id))}/revoke`, {});
    emit(ctx, flags.json, d, () => `Revoked ${d.hostname} (${d.id}).\n`);
  });
  withJson(
    devices
      .command('mode')
      .description(
        'Switch an agent between live (WebSocket) and poll (HTTPS) mode with a signed command (admin).',
      )
      .argument('<ID>', 'device id')
      .argument('<MODE>', 'live or poll')
      .option('--poll-interval <SECONDS>', 'poll interval in poll mode'),
  ).action(async (id: string, mode: string, flags: { pollInterval?: string; json?: boolean }) => {
    if (mode !== 'live' && mode !== 'poll')
      throw new VigilError('E_USAGE', `mode must be live or poll, got '${mode}'`);
    const body = {
      mode,
      ...(flags.pollInterval ? { poll_s: parseIntArg(flags.pollInterval, '--poll-interval', 1, 86400) } : {}),
    };
    const client = await ctx.connect();
    const r = await client.post<{ command_id: string; delivered: boolean }>(
      `/api/v1/devices/${encodeURIComponent(deviceId(id))}/mode`,
      body,
    );
    emit(
      ctx,
      flags.json,
      r,
      () =>
        `mode.set ${mode} ${r.delivered ? 'delivered' : 'queued until the agent next connects or polls'} (command ${r.command_id}).\n`,
    );
  });
}
