import type { Generated } from 'kysely';

/**
 * The database schema as Kysely sees it. Columns are snake_case; timestamps are ISO-8601 text
 * (sortable, identical on SQLite and PostgreSQL); booleans are 0/1 integers; JSON is text.
 */

export interface AccountsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  csrf_hash: string;
  user_id: string;
  account_id: string;
  ip: string | null;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  account_id: string;
  user_id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: string;
  account_id: string | null;
  at: string;
  actor: string;
  actor_name: string;
  action: string;
  target: string | null;
  source_ip: string | null;
  outcome: string;
  detail: string;
}

export interface DevicesTable {
  id: string;
  account_id: string;
  hostname: string;
  os_platform: string;
  os_name: string;
  os_version: string;
  os_kernel: string;
  os_arch: string;
  agent_version: string;
  status: string;
  mode: string;
  ip: string | null;
  public_key: string;
  facts: string;
  enrolled_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  machine_id: string;
  /** Digest of the rule set last pushed (defaults to '' so inserts need not name it). */
  rule_set_digest: Generated<string>;
  /** Compliance score of the current check results (0–100), null without any; kept by the check service. */
  compliance_score: Generated<number | null>;
}

export interface DeviceTagsTable {
  device_id: string;
  account_id: string;
  tag: string;
}

export interface GroupsTable {
  id: string;
  account_id: string;
  name: string;
  description: string;
  kind: string;
  rule: string | null;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  device_id: string;
  account_id: string;
}

export interface EnrollmentTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  group_id: string | null;
  tags: string;
  expires_at: string;
  max_uses: number | null;
  uses: number;
  revoked_at: string | null;
  created_by: string;
  created_at: string;
}

export interface AgentMessagesTable {
  device_id: string;
  msg_id: string;
  kind: string;
  received_at: string;
}

export interface AgentCommandsTable {
  id: string;
  device_id: string;
  account_id: string;
  kind: string;
  campaign_id: string | null;
  envelope: string;
  created_at: string;
  expires_at: string;
  delivered_at: string | null;
  completed_at: string | null;
  ok: number | null;
  result: string | null;
}

export interface AlertsTable {
  id: string;
  account_id: string;
  device_id: string | null;
  rule: string;
  severity: string;
  title: string;
  status: string;
  coalesce_key: string;
  count: number;
  first_seen: string;
  last_seen: string;
  context: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  status_note: string | null;
  suppression_id: string | null;
}

export interface AlertSuppressionsTable {
  id: string;
  account_id: string;
  rule: string;
  device_id: string | null;
  group_id: string | null;
  reason: string;
  expires_at: string | null;
  hits: Generated<number>;
  created_by: string;
  created_at: string;
}

export interface NotificationRoutesTable {
  id: string;
  account_id: string;
  name: string;
  channel: string;
  enabled: number;
  min_severity: string;
  rule_pattern: string;
  group_id: string | null;
  config: string;
  secret: string | null;
  rate_limit_count: number | null;
  rate_limit_window_s: number;
  digest_window_s: number | null;
  max_attempts: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface NotificationDeliveriesTable {
  id: string;
  account_id: string;
  route_id: string;
  route_name: string;
  kind: string;
  alert_ids: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  first_attempt_at: string | null;
  last_error: string | null;
  digest_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface QueryCampaignsTable {
  id: string;
  account_id: string;
  sql: string;
  command_id: string;
  created_by: string;
  created_at: string;
  deadline_at: string;
  status: string;
  targeted: number;
  summary: string | null;
  saved_query_id: string | null;
}

export interface QueryCampaignDevicesTable {
  campaign_id: string;
  device_id: string;
  account_id: string;
  status: string;
  error: string | null;
  row_count: number;
  latency_ms: number | null;
  columns: string | null;
  rows: string | null;
  warnings: string | null;
  truncated: number;
  updated_at: string;
}

export interface SavedQueriesTable {
  id: string;
  account_id: string;
  name: string;
  description: string;
  sql: string;
  targets: string;
  interval_s: number | null;
  cron: string | null;
  mode: string;
  enabled: number;
  last_run_at: string | null;
  created_by: string;
  created_at: string;
}

export interface ScheduledResultsTable {
  id: string;
  account_id: string;
  query_id: string;
  device_id: string;
  campaign_id: string;
  at: string;
  columns: string;
  rows: string;
  added: string | null;
  removed: string | null;
}

export interface CheckOverridesTable {
  id: string;
  account_id: string;
  group_id: string;
  check_name: string;
  enabled: number | null;
  params: string;
  updated_at: string;
}

export interface CheckResultsTable {
  account_id: string;
  device_id: string;
  check_name: string;
  severity: string;
  status: string;
  since: string;
  last_run_at: string;
  evidence: string | null;
  error: string | null;
}

export interface ComplianceHistoryTable {
  id: string;
  account_id: string;
  at: string;
  score: number;
  passing: number;
  applicable: number;
}

export interface ActionRunsTable {
  id: string;
  account_id: string;
  action: string;
  params: string;
  targets: string;
  dry_run: number;
  risk: string;
  timeout_s: number;
  reason: string | null;
  requested_by: string;
  requested_by_name: string;
  approval_required: number;
  status: string;
  status_reason: string | null;
  approved_by: string | null;
  approved_by_name: string | null;
  approved_at: string | null;
  closed_by: string | null;
  closed_by_name: string | null;
  batch_size: number | null;
  pause_s: number;
  stop_if_failure_rate: number | null;
  offline_policy: string;
  offline_expiry_s: number;
  current_batch: number;
  batch_count: number;
  next_batch_at: string | null;
  undo_of: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ActionRunDevicesTable {
  run_id: string;
  device_id: string;
  account_id: string;
  batch: number;
  status: string;
  command_id: string | null;
  params: string | null;
  result: string | null;
  error: string | null;
  sent_at: string | null;
  deadline_at: string | null;
  queue_expires_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface ActionSettingsTable {
  account_id: string;
  require_approval: number;
  updated_by: string;
  updated_at: string;
}

export interface ResponseRulesTable {
  id: string;
  account_id: string;
  name: string;
  rule: string;
  group_id: string | null;
  conditions: string;
  actions: string;
  dry_run: number;
  max_per_hour: number;
  /** 0: kept but not pushed to agents. */
  enabled: number;
  created_by: string;
  created_at: string;
}

export interface MonitoringPathsTable {
  id: string;
  account_id: string;
  /** 'watch' or 'ignore'. */
  kind: string;
  path: string;
  group_id: string | null;
  created_by: string;
  created_at: string;
}

export interface DetectionRuleParamsTable {
  account_id: string;
  rule: string;
  /** JSON object of the parameters set. */
  params: string;
  updated_by: string;
  updated_at: string;
}

export interface SoftwarePackagesTable {
  id: string;
  account_id: string;
  sha256: string;
  kind: string;
  name: string;
  version: string;
  arch: string;
  filename: string;
  original_filename: string | null;
  /** bigint: PostgreSQL hands it back as a string; read it with Number(). */
  size: number | string;
  uploaded_by: string;
  uploaded_by_name: string;
  created_at: string;
}

/** Every table of the store. */
export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  devices: DevicesTable;
  device_tags: DeviceTagsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  enrollment_tokens: EnrollmentTokensTable;
  agent_messages: AgentMessagesTable;
  agent_commands: AgentCommandsTable;
  alerts: AlertsTable;
  alert_suppressions: AlertSuppressionsTable;
  notification_routes: NotificationRoutesTable;
  notification_deliveries: NotificationDeliveriesTable;
  query_campaigns: QueryCampaignsTable;
  query_campaign_devices: QueryCampaignDevicesTable;
  saved_queries: SavedQueriesTable;
  scheduled_results: ScheduledResultsTable;
  check_overrides: CheckOverridesTable;
  check_results: CheckResultsTable;
  compliance_history: ComplianceHistoryTable;
  action_runs: ActionRunsTable;
  action_run_devices: ActionRunDevicesTable;
  action_settings: ActionSettingsTable;
  response_rules: ResponseRulesTable;
  monitoring_paths: MonitoringPathsTable;
  detection_rule_params: DetectionRuleParamsTable;
  software_packages: SoftwarePackagesTable;
}
