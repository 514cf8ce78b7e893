import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListen, resolveServerConfig } from './config.js';

/** The VigilError a call throws (fails the test when it does not throw one). */
function configError(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VigilError);
    return error as VigilError;
  }
  throw new Error('expected an E_CONFIG error, but the call succeeded');
}

describe('resolveServerConfig', () => {
  let dir: string;
  let jsonFile: string;
  let yamlFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    jsonFile = join(dir, 'vigil.json');
    yamlFile = join(dir, 'vigil.yaml');
    writeFileSync(
      jsonFile,
      JSON.stringify({
        listen: '127.0.0.1:9001',
        'log-level': 'warn',
        heartbeat: 40,
        'poll-interval': 20,
        data: 'from-json',
      }),
    );
    writeFileSync(
      yamlFile,
      'listen: 127.0.0.1:9002\nlog-level: error\nheartbeat: 45\nbus: memory\ndata: from-yaml\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the defaults when nothing is given', () => {
    const c = resolveServerConfig({ env: {}, cwd: dir });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8443,
      logLevel: 'info',
      bus: 'memory',
      heartbeatSeconds: 30,
      pollSeconds: 15,
      publicUrl: 'https://127.0.0.1:8443',
    });
    expect(c.dataDir).toBe(join(dir, '.vigil'));
    expect(c.db).toBe(`sqlite:${join(dir, '.vigil', 'vigil.db')}`);
    expect(c.tlsCert).toBeUndefined();
  });

  it('reads a JSON config file over the defaults', () => {
    const c = resolveServerConfig({ env: {}, cwd: dir, configFile: 'vigil.json' });
    expect(c).toMatchObject({
      port: 9001,
      logLevel: 'warn',
      heartbeatSeconds: 40,
      pollSeconds: 20,
      dataDir: join(dir, 'from-json'),
    });
  });

  it('reads a YAML config file, also when named by VIGIL_CONFIG', () => {
    const c = resolveServerConfig({ env: { VIGIL_CONFIG: yamlFile }, cwd: dir });
    expect(c).toMatchObject({
      port: 9002,
      logLevel: 'error',
      heartbeatSeconds: 45,
      dataDir: join(dir, 'from-yaml'),
    });
    expect(c.pollSeconds).toBe(15);
  });

  it('lets VIGIL_* variables override the config file', () => {
    const c = resolveServerConfig({
      env: { VIGIL_LISTEN: '127.0.0.1:9100', VIGIL_LOG_LEVEL: 'debug' },
      cwd: dir,
      configFile: jsonFile,
    });
    expect(c.port).toBe(9100);
    expect(c.logLevel).toBe('debug');
    // Not set in the environment: still from the file.
    expect(c.heartbeatSeconds).toBe(40);
  });

  it('lets flags override the environment and the file', () => {
    const c = resolveServerConfig({
      flags: { listen: '[::1]:9200', logLevel: 'trace', heartbeat: '5' },
      env: { VIGIL_LISTEN: '127.0.0.1:9100', VIGIL_LOG_LEVEL: 'debug', VIGIL_HEARTBEAT: '99' },
      cwd: dir,
      configFile: jsonFile,
    });
    expect(c).toMatchObject({
      host: '::1',
      port: 9200,
      logLevel: 'trace',
      heartbeatSeconds: 5,
      publicUrl: 'https://[::1]:9200',
    });
    // Flags left undefined do not erase lower layers.
    expect(c.pollSeconds).toBe(20);
  });

  it('ignores empty environment variables', () => {
    const c = resolveServerConfig({
      env: { VIGIL_LISTEN: '', VIGIL_LOG_LEVEL: '' },
      cwd: dir,
      configFile: jsonFile,
    });
    expect(c.port).toBe(9001);
    expect(c.logLevel).toBe('warn');
  });

  it('refuses a bad --listen with E_CONFIG and an example', () => {
    for (const bad of ['nope', '127.0.0.1', '127.0.0.1:99999', 'host:port', ':8443']) {
      const e = configError(() => resolveServerConfig({ flags: { listen: bad }, env: {}, cwd: dir }));
      expect(e.code).toBe('E_CONFIG');
      expect(e.message).toContain('--listen must be HOST:PORT');
      expect(e.message).toContain(`'${bad}'`);
    }
    expect(parseListen('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
  });

  it('refuses a bad --log-level, naming the allowed levels', () => {
    const e = configError(() => resolveServerConfig({ env: { VIGIL_LOG_LEVEL: 'loud' }, cwd: dir }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toMatch(
      /--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'/,
    );
  });

  it('refuses a --db that is neither sqlite: nor postgres://', () => {
    const e = configError(() =>
      resolveServerConfig({ flags: { db: 'mysql://localhost/vigil' }, env: {}, cwd: dir }),
    );
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain("--db must be sqlite:PATH or postgres://…, got 'mysql://localhost/vigil'");
    expect(resolveServerConfig({ flags: { db: 'postgres://u@127.0.0.1/v' }, env: {}, cwd: dir }).db).toBe(
      'postgres://u@127.0.0.1/v',
    );
    expect(resolveServerConfig({ flags: { db: 'sqlite:rel.db' }, env: {}, cwd: dir }).db).toBe(
      `sqlite:${join(dir, 'rel.db')}`,
    );
  });

  it('refuses an unknown config-file key, naming it and the known ones', () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:9000\nlisen: 127.0.0.1:9001\n');
    const e = configError(() => resolveServerConfig({ env: {}, cwd: dir, configFile: file }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain(`config file ${file}: unknown option 'lisen'`);
    expect(e.message).toContain('known: data, listen');
  });

  it('refuses a missing, malformed or non-mapping config file', () => {
    expect(
      configError(() => resolveServerConfig({ env: {}, cwd: dir, configFile: 'absent.json' })).message,
    ).toContain('does not exist');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"listen": ');
    const e = configError(() => resolveServerConfig({ env: {}, cwd: dir, configFile: broken }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('is not valid JSON');
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    expect(configError(() => resolveServerConfig({ env: {}, cwd: dir, configFile: list })).message).toContain(
      'must hold a mapping',
    );
  });

  it('keeps results 30 days by default and takes retention by flag over env over file', () => {
    const defaults = resolveServerConfig({ env: {}, cwd: dir });
    expect(defaults.retentionLiveDays).toBe(30);
    expect(defaults.retentionScheduledDays).toBe(30);
    const file = join(dir, 'retention.yaml');
    writeFileSync(file, 'retention-live-results: 7\nretention-scheduled-results: 0\n');
    expect(resolveServerConfig({ env: {}, cwd: dir, configFile: file })).toMatchObject({
      retentionLiveDays: 7,
      retentionScheduledDays: 0,
    });
    const env = { VIGIL_RETENTION_LIVE_RESULTS: '14', VIGIL_RETENTION_SCHEDULED_RESULTS: '90' };
    expect(resolveServerConfig({ env, cwd: dir, configFile: file })).toMatchObject({
      retentionLiveDays: 14,
      retentionScheduledDays: 90,
    });
    expect(
      resolveServerConfig({ flags: { retentionLiveResults: '0' }, env, cwd: dir, configFile: file }),
    ).toMatchObject({ retentionLiveDays: 0, retentionScheduledDays: 90 });
  });

  it('refuses retention that is not a whole number of days from 0 to 36500', () => {
    for (const bad of ['-1', '1.5', 'abc', '30d', '', ' ', '1e3', '36501']) {
      const e = configError(() =>
        resolveServerConfig({ flags: { retentionLiveResults: bad }, env: {}, cwd: dir }),
      );
      expect(e.code).toBe('E_CONFIG');
      expect(e.message).toBe(
        `--retention-live-results must be a whole number of days from 0 (keep forever) to 36500, got '${bad}'`,
      );
    }
    const e = configError(() =>
      resolveServerConfig({ env: { VIGIL_RETENTION_SCHEDULED_RESULTS: '-7' }, cwd: dir }),
    );
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('--retention-scheduled-results must be a whole number of days');
    const file = join(dir, 'bad-retention.json');
    writeFileSync(file, JSON.stringify({ 'retention-scheduled-results': null }));
    expect(configError(() => resolveServerConfig({ env: {}, cwd: dir, configFile: file })).message).toContain(
      "--retention-scheduled-results must be a whole number of days from 0 (keep forever) to 36500, got 'null'",
    );
    expect(
      resolveServerConfig({ flags: { retentionScheduledResults: '36500' }, env: {}, cwd: dir }),
    ).toMatchObject({ retentionScheduledDays: 36500 });
  });

  it('refuses non-positive intervals and an unknown bus', () => {
    expect(
      configError(() => resolveServerConfig({ flags: { heartbeat: '0' }, env: {}, cwd: dir })).message,
    ).toContain("--heartbeat must be a positive whole number, got '0'");
    expect(
      configError(() => resolveServerConfig({ flags: { pollInterval: '1.5' }, env: {}, cwd: dir })).message,
    ).toContain('--poll-interval');
    expect(
      configError(() => resolveServerConfig({ flags: { bus: 'kafka://x' }, env: {}, cwd: dir })).code,
    ).toBe('E_CONFIG');
  });
});

describe('ingest claim retention option', () => {
  it('keeps claims 30 days by default; flag, env and 0 (forever) are taken; nonsense is refused', () => {
    expect(resolveServerConfig({ env: {} }).ingestClaimDays).toBe(30);
    expect(resolveServerConfig({ flags: { ingestClaimRetention: '90' }, env: {} }).ingestClaimDays).toBe(90);
    expect(resolveServerConfig({ env: { VIGIL_INGEST_CLAIM_RETENTION: '0' } }).ingestClaimDays).toBe(0);
    const e = configError(() => resolveServerConfig({ flags: { ingestClaimRetention: '-1' }, env: {} }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('--ingest-claim-retention');
  });
});

describe('metric alert thresholds', () => {
  it('alert at 90 % disk and 95 % memory by default; 0 turns one off; out of range is refused', () => {
    const defaults = resolveServerConfig({ env: {} });
    expect([defaults.metricsDiskAlertPct, defaults.metricsMemoryAlertPct]).toEqual([90, 95]);
    const set = resolveServerConfig({
      flags: { metricsDiskAlert: '80' },
      env: { VIGIL_METRICS_MEMORY_ALERT: '0' },
    });
    expect([set.metricsDiskAlertPct, set.metricsMemoryAlertPct]).toEqual([80, 0]);
    for (const [flags, name] of [
      [{ metricsDiskAlert: '100' }, '--metrics-disk-alert'],
      [{ metricsMemoryAlert: '90.5' }, '--metrics-memory-alert'],
    ] as const) {
      const e = configError(() => resolveServerConfig({ flags, env: {} }));
      expect(e.code).toBe('E_CONFIG');
      expect(e.message).toContain(name);
    }
  });
});

describe('action approval expiry option', () => {
  it('lets a run wait a day by default; 0 waits forever; nonsense is refused', () => {
    expect(resolveServerConfig({ env: {} }).actionApprovalExpirySeconds).toBe(86_400);
    expect(
      resolveServerConfig({ env: { VIGIL_ACTION_APPROVAL_EXPIRY: '0' } }).actionApprovalExpirySeconds,
    ).toBe(0);
    const e = configError(() => resolveServerConfig({ flags: { actionApprovalExpiry: '1h' }, env: {} }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toContain('--action-approval-expiry');
  });
});

describe('metrics retention options', () => {
  it('keeps raw samples an hour, minutes 7 days and hours 90 days by default; flags and env override', () => {
    const defaults = resolveServerConfig({ env: {} });
    expect([defaults.metricsRawMinutes, defaults.metricsMinuteDays, defaults.metricsHourDays]).toEqual([
      60, 7, 90,
    ]);
    const set = resolveServerConfig({
      flags: { metricsRawRetention: '30', metricsHourRetention: '365' },
      env: { VIGIL_METRICS_MINUTE_RETENTION: '14', VIGIL_METRICS_RAW_RETENTION: '90' },
    });
    expect([set.metricsRawMinutes, set.metricsMinuteDays, set.metricsHourDays]).toEqual([30, 14, 365]);
  });

  it('refuses "keep forever" and nonsense: storage must stay bounded', () => {
    for (const [flags, name] of [
      [{ metricsRawRetention: '0' }, '--metrics-raw-retention'],
      [{ metricsMinuteRetention: 'a week' }, '--metrics-minute-retention'],
      [{ metricsHourRetention: '100000' }, '--metrics-hour-retention'],
    ] as const) {
      const e = configError(() => resolveServerConfig({ flags, env: {} }));
      expect(e.code).toBe('E_CONFIG');
      expect(e.message).toContain(name);
      expect(e.message).toMatch(/from 1 to \d+/);
    }
  });
});
