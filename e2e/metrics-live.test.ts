/**
 * Live host metrics with a real agent process on this machine: while a viewer streams the device
 * the agent samples every second; when the stream closes it goes back to the default rate; when its
 * connection drops it falls back by itself and speeds up again once it reconnects (still watched).
 * The CLI then prints the latest figures.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { compileValidator, MetricSample, type MetricSampleT } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../packages/cli/src/commands/device-metrics.js';
import { MetricsRepo } from '../packages/server/src/store/repos/metrics.js';
import { openEventStream } from '../packages/server/src/test-support/event-stream.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { type AgentProcess, enrollAgent, startAgentProcess, waitFor } from './helpers/agent-process.js';
import { runCli } from './helpers/cli-process.js';

const validSample = compileValidator(MetricSample);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('live host metrics from a real agent', () => {
  let s: TestServer;
  let agent: AgentProcess;
  let deviceId: string;
  let viewer: string;
  const streamUrl = () => `${s.url}/api/v1/devices/${deviceId}/metrics/stream`;
  const samplesOf = (events: Array<{ event: string; data: any }>): MetricSampleT[] =>
    events.filter((e) => e.event === 'sample').map((e) => e.data.sample as MetricSampleT);

  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 2, poll: 2 });
    viewer = await s.tokenFor('viewer');
    const token = (await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: {} })).body
      .token;
    const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
    const env = { VIGIL_AGENT_MACHINE_ID: 'm-metrics-e2e', VIGIL_AGENT_HOSTNAME: 'metrics-e2e' };
    const r = await enrollAgent(s.url, token, s.vigil.services.keys.caFingerprint, dir, env);
    expect(r.code, r.stderr).toBe(0);
    deviceId = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')).agent_id;
    agent = startAgentProcess(dir, env);
    const online = await waitFor(() => s.vigil.hub.sessions.has(deviceId), 30_000);
    expect(online, agent.log()).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await s?.stop();
  });

  it('samples every second while a viewer watches, and at the default rate once the stream closes', async () => {
    const stream = await openEventStream(streamUrl(), viewer, s.dispatcher);
    expect(stream.status).toBe(200);
    const enough = await waitFor(() => samplesOf(stream.events).length >= 6, 30_000);
    expect(enough, agent.log()).toBe(true);
    const samples = samplesOf(stream.events);
    for (const sample of samples) expect(validSample.check(sample)).toBe(true);
    // The first sample may cover the time since the agent's start; the rest are a second apart.
    const gaps = samples.slice(1).map((x, i) => x.ts - (samples[i] as MetricSampleT).ts);
    expect(median(gaps)).toBeGreaterThanOrEqual(800);
    expect(median(gaps)).toBeLessThanOrEqual(1300);
    for (const x of samples.slice(2)) expect(x.interval_s).toBeLessThan(2);
    // Real figures of this machine, read by the agent from /proc.
    expect(samples[0]?.memory?.total).toBe(totalmem());
    expect(samples[0]?.processes).toBeGreaterThan(1);

    stream.close();
    const db = s.vigil.services.store.db;
    const confirmed = await waitFor(async () => {
      const rows = await db
        .selectFrom('agent_commands')
        .select(['result'])
        .where('device_id', '=', deviceId)
        .where('kind', '=', 'metrics.rate')
        .where('completed_at', 'is not', null)
        .execute();
      return rows.some((row) => JSON.parse(row.result ?? 'null')?.interval_s === 60);
    }, 15_000);
    expect(confirmed, 'the agent confirms the default rate').toBe(true);
    const repo = new MetricsRepo(db);
    const before = await repo.count('metric_samples', deviceId);
    await new Promise((r) => setTimeout(r, 4000));
    const after = await repo.count('metric_samples', deviceId);
    // At most one sample that was already on its way; at 1 s there would be four.
    expect(after - before).toBeLessThanOrEqual(1);
    expect(before).toBeGreaterThanOrEqual(samples.length);
  }, 90_000);

  it('falls back by itself when its connection drops, and speeds up again when it returns', async () => {
    const stream = await openEventStream(streamUrl(), viewer, s.dispatcher);
    expect(await waitFor(() => samplesOf(stream.events).length >= 2, 30_000)).toBe(true);
    // Cut the connection from the server side, as a network failure would (no goodbye).
    const cutAt = Date.now();
    s.vigil.hub.sessions.get(deviceId)?.terminate();
    const fellBack = await waitFor(() => agent.log().includes('the channel to the server dropped'), 15_000);
    expect(fellBack, agent.log()).toBe(true);
    // Back online and still watched: the server grants the fast rate again.
    const resumed = await waitFor(
      () => samplesOf(stream.events).filter((x) => x.ts > cutAt + 1000).length >= 3,
      30_000,
    );
    expect(resumed, agent.log()).toBe(true);
    const later = samplesOf(stream.events).filter((x) => x.ts > cutAt + 1000);
    const gaps = later.slice(1).map((x, i) => x.ts - (later[i] as MetricSampleT).ts);
    expect(median(gaps)).toBeLessThanOrEqual(1300);
    stream.close();
  }, 90_000);

  it('prints the latest figures with `vigil devices metrics`', async () => {
    const env = {
      VIGIL_SERVER: s.url,
      VIGIL_TOKEN: viewer,
      VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
      VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
    };
    const r = await runCli(['devices', 'metrics', deviceId, '--since', '15m'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Device:`);
    expect(r.stdout).toContain(deviceId);
    expect(r.stdout).toContain(`of ${formatBytes(totalmem())}`);
    expect(r.stdout).toMatch(/Last 15m:\s+CPU avg [\d.]+ % max [\d.]+ %/);
    const json = await runCli(['devices', 'metrics', deviceId, '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.latest.device_id).toBe(deviceId);
    expect(parsed.window.samples.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    const bad = await runCli(['devices', 'metrics', deviceId, '--since', 'ten'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--since');
  }, 60_000);
});
