/**
 * Valid messages of every type the agent validates with generated code (one per union branch and
 * optional part), for the test that compares the generated validators with TypeBox's.
 */

const b64sig = 'A'.repeat(86);
const b64payload = Buffer.from('{"id":"cmd_00000001"}').toString('base64');
const condition = { field: 'file.mode', equals: 'x', in: ['a', 'b'], gte: 3, exists: true };
const ruleSetRule = {
  name: 'Linux.Auth.RootLogin',
  title: 'Successful SSH login as root',
  severity: 'high',
  attack: ['T1078.003'],
  monitor: 'auth',
  match: { all: [condition], any: [{ field: 'user', not_in: ['root'], contains: 'x', lte: 9 }] },
  threshold: { count: 5, window_s: 60, by: ['source_ip'] },
  coalesce: { key: ['user', 'source_ip'], window_s: 3600 },
};
const { threshold: _threshold, ...withoutThreshold } = ruleSetRule;

/** Valid samples by the generated validator's name. */
export const VALID_SAMPLES: Record<string, unknown[]> = {
  ServerToAgent: [
    { t: 'auth.challenge', nonce: 'n0nce', server_time: 1_700_000_000_000 },
    { t: 'auth.ok', heartbeat_s: 30, poll_s: 60, mode: 'live', server_time: 1 },
    { t: 'command', env: { v: 1, payload: b64payload, sig: b64sig } },
    { t: 'outbox.ack', ids: ['msg_0001', 'msg-0002-abcdef'] },
  ],
  Envelope: [{ v: 1, payload: b64payload, sig: `${'B'.repeat(86)}==` }],
  CommandPayload: [
    {
      id: 'cmd_00000001',
      kind: 'query.run',
      aud: { account: 'acc', agent: 'agt' },
      iat: 1,
      exp: 2,
      body: {},
    },
    {
      id: 'cmd_00000002',
      kind: 'checks.set',
      aud: { account: 'acc', campaign: 'c1' },
      iat: 0,
      exp: 0,
      body: null,
    },
  ],
  PingBody: [{}, { echo: 'hello' }],
  SleepBody: [{ ms: 0 }, { ms: 120_000 }],
  ModeSetBody: [{ mode: 'poll', poll_s: 60 }, { mode: 'live' }],
  QueryRunBody: [{ sql: 'select 1', timeout_ms: 100, max_rows: 1 }],
  ScheduleSetBody: [
    { queries: [] },
    {
      queries: [
        { id: 'q1', name: 'procs', sql: 'select * from processes', interval_s: 60, mode: 'snapshot' },
        { id: 'q2', name: 'ports', sql: 'select 1', cron: '*/5 * * * *', mode: 'differential' },
      ],
    },
  ],
  ChecksSetBody: [
    {
      digest: 'abc',
      checks: [
        {
          name: 'Linux.Ssh.RootLoginDisabled',
          severity: 'high',
          query: 'select 1',
          evidence: 'select 2',
          pass_when: 'rows',
          interval_s: 3600,
        },
      ],
      full_state_interval_s: 86_400,
    },
  ],
  ChecksSetDeflatedBody: [
    { digest: 'abc', deflated: 'q1YqSy0qzszPU7JSMtQzUNJRSs7PS8tM1y0pSk3VMTTRUcoDcgAA' },
    { digest: '', deflated: '' },
  ],
  ChecksScanBody: [{ scan_id: 'scan-1' }],
  MetricsRateBody: [{ interval_s: 1, until: 1_700_000_000_000 }, { interval_s: 3600 }],
  RulesSetBody: [
    { digest: 'shipped', rules: [], responses: [] },
    {
      digest: 'd1',
      rules: [ruleSetRule],
      responses: [
        {
          id: 'resp_1',
          name: 'Kill it',
          rule: 'Linux.Processes.*',
          when: [condition],
          actions: [{ action: 'process.kill', params: { pid: '{{pid}}', signal: 9 } }],
          dry_run: false,
          max_per_hour: 10,
        },
      ],
      watch: { paths: ['/etc/ssh'], ignore: ['*.swp', '/var/tmp/*'] },
    },
  ],
  ActionRunBody: [
    { run_id: 'run_00000001', action: 'process.kill', params: { pid: 42 }, dry_run: true, timeout_s: 30 },
  ],
  ActionResultBody: [
    {
      command_id: 'cmd_00000001',
      run_id: 'run_00000001',
      action: 'process.kill',
      status: 'succeeded',
      dry_run: false,
      changed: true,
      summary: 'killed 42',
      details: { pid: 42 },
      undo: { action: 'service.start', params: { name: 'x' } },
      rule: 'Linux.Processes.ReverseShell',
      started_at: 1,
      duration_ms: 5,
    },
    {
      command_id: 'cmd_00000002',
      run_id: 'run_00000002',
      action: 'file.quarantine',
      status: 'failed',
      dry_run: true,
      changed: false,
      summary: '',
      details: {},
      error: { code: 'E_ACTION_FAILED', message: 'no', exit_code: 1, stderr_tail: 'boom' },
      started_at: 0,
      duration_ms: 0,
    },
  ],
  RuleDefinition: [
    {
      name: 'Linux.Auth.SshBruteForce',
      title: 'SSH brute force',
      description: 'Many failed SSH logins from one source in a short time.',
      severity: 'medium',
      platforms: ['linux'],
      attack: ['T1110', 'T1110.001'],
      monitor: 'auth',
      parameters: [
        {
          name: 'attempts',
          type: 'integer',
          default: 10,
          description: 'failures',
          minimum: 2,
          maximum: 1000,
        },
        { name: 'users', type: 'string_list', default: ['root'], description: 'watched users' },
      ],
      match: { all: [{ field: 'type', equals: 'ssh_failed', gte: '{{attempts}}', in: '{{users}}' }] },
      threshold: { count: '{{attempts}}', window_s: 60, by: ['source_ip'] },
      coalesce: { key: ['source_ip'], window_s: '{{window}}' },
      references: { urls: ['https://attack.mitre.org/techniques/T1110/'] },
    },
  ],
  RuleSetRule: [ruleSetRule, { ...withoutThreshold, match: {} }],
};
