/** `vigil devices metrics ID [--since 1h]`: a device's latest figures and its averages and peaks over a window. */
import type { LatestMetricsResponseT, MetricsSeriesResponseT } from '@vigil/protocol';
import { VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type Cell, formatDetails, shortTime } from '../output.js';
import { emit, withJson } from './common.js';
import { parseDuration } from './targets.js';

/** The longest window: the 1-hour tier keeps 90 days by default. */
const MAX_SINCE_S = 90 * 86_400;

/** Bytes with a binary unit (1536 → "1.5 KiB"). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

function pct(n: number | null | undefined): string {
  return n === null || n === undefined ? '-' : `${n.toFixed(1)} %`;
}

/** The mean (weighted by samples) and the peak of one series over every bucket of an answer. */
export function overall(
  series: MetricsSeriesResponseT,
  key: string,
): { avg: number | null; max: number | null } {
  const s = series.series[key];
  if (!s) return { avg: null, max: null };
  let sum = 0;
  let n = 0;
  let max: number | null = null;
  for (const [i, avg] of s.avg.entries()) {
    const weight = series.samples[i] ?? 0;
    if (avg !== null) {
      sum += avg * weight;
      n += weight;
    }
    const m = s.max[i];
    if (m !== null && m !== undefined && (max === null || m > max)) max = m;
  }
  return { avg: n > 0 ? sum / n : null, max };
}

/** The human rendering of the latest sample and the window's figures. */
export function metricsDetails(
  latest: LatestMetricsResponseT,
  window: MetricsSeriesResponseT,
  since: string,
  now = Date.now(),
): string {
  const s = latest.sample;
  const age = Math.max(0, Math.round((now - Date.parse(latest.sampled_at)) / 1000));
  const cpu = overall(window, 'cpu');
  const mem = overall(window, 'mem.pct');
  const disk = overall(window, 'disk.pct');
  const samples = window.samples.reduce((a, b) => a + b, 0);
  const rows: [string, Cell][] = [
    ['Device', latest.device_id],
    ['Sampled', `${shortTime(latest.sampled_at)} (${age} s ago)`],
    [
      'CPU',
      s.cpu
        ? `${pct(s.cpu.pct)} over ${s.cpu.cores.length} core(s): ${s.cpu.cores.map((c) => Math.round(c)).join(' ')}`
        : null,
    ],
    [
      'Memory',
      s.memory
        ? `${formatBytes(s.memory.used)} of ${formatBytes(s.memory.total)} (${pct(s.memory.pct)}); swap ${formatBytes(s.memory.swap_used)} of ${formatBytes(s.memory.swap_total)}`
        : null,
    ],
    ['Load', s.load ? `${s.load.m1} ${s.load.m5} ${s.load.m15}` : null],
    ['Processes', s.processes],
    ['Disks', s.disks.map((d) => `${d.mount} ${pct(d.pct)} of ${formatBytes(d.size)}`).join('; ') || null],
    [
      'Disk I/O',
      s.disk_io
        .map((d) => `${d.device} read ${formatBytes(d.read_bps)}/s write ${formatBytes(d.write_bps)}/s`)
        .join('; ') || null,
    ],
    [
      'Network',
      s.net
        .filter((n) => n.interface !== 'lo')
        .map((n) => `${n.interface} in ${formatBytes(n.rx_bps)}/s out ${formatBytes(n.tx_bps)}/s`)
        .join('; ') || null,
    ],
    ['Agent', `CPU ${pct(s.agent.cpu_pct)}, memory ${formatBytes(s.agent.rss)}`],
    [
      `Last ${since}`,
      samples === 0
        ? 'no samples'
        : `CPU avg ${pct(cpu.avg)} max ${pct(cpu.max)}; memory avg ${pct(mem.avg)} max ${pct(mem.max)}; fullest disk max ${pct(disk.max)} (${samples} samples, ${window.resolution})`,
    ],
  ];
  return formatDetails(rows);
}

/** Register `devices metrics`. */
export function registerDeviceMetricsCommand(
  devices: Command,
  ctx: CliContext,
  deviceId: (v: string) => string,
): void {
  withJson(
    devices
      .command('metrics')
      .description("Show a device's latest host metrics, with averages and peaks over a window.")
      .argument('<ID>', 'device id')
      .option('--since <DURATION>', 'window for averages and peaks, e.g. 15m, 1h, 7d (default 1h)', '1h'),
  ).action(async (id: string, flags: { since: string; json?: boolean }) => {
    const path = `/api/v1/devices/${encodeURIComponent(deviceId(id))}/metrics`;
    const since = parseDuration(flags.since, '--since');
    if (since < 60 || since > MAX_SINCE_S)
      throw new VigilError('E_USAGE', `--since must be from 1m to 90d, got '${flags.since}'`);
    const client = await ctx.connect();
    const latest = await client.get<LatestMetricsResponseT>(`${path}/latest`);
    const now = Date.now();
    // About a thousand points at most: 1-minute roll-ups for short windows, hours for long ones.
    const window = await client.get<MetricsSeriesResponseT>(path, {
      from: new Date(now - since * 1000).toISOString(),
      to: new Date(now).toISOString(),
      step: Math.max(60, Math.ceil(since / 1000)),
      series: 'cpu,mem.pct,disk.pct',
    });
    emit(ctx, flags.json, { latest, window }, () => metricsDetails(latest, window, flags.since, now));
  });
}
