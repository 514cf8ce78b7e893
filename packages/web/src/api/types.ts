/**
 * API shapes the console reads. Shapes @vigil/protocol declares are imported from it (types only,
 * so no schema code reaches the bundle); the rest mirror the route schemas in packages/server
 * that have not moved into the protocol package yet.
 */
export type {
  ActionRunDetailT,
  ActionRunT,
  ApiTokenT,
  AuditEntryT,
  CheckDefinitionT,
  CheckParameterT,
  DeviceStatusT,
  DeviceT,
  GroupT,
  TargetsT,
  UserRole,
  UserT,
} from '@vigil/protocol';

/** A page of a cursor-paginated list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A list without pagination. */
export interface Items<T> {
  items: T[];
}

/** POST /api/v1/sessions and GET /api/v1/me. */
export interface Me {
  user: import('@vigil/protocol').UserT;
  account: { id: string; name: string };
}

/** POST /api/v1/sessions. */
export interface SessionInfo extends Me {
  csrf_token: string;
  expires_at: string;
}

/** GET /api/v1/server-info. */
export interface ServerInfo {
  version: string;
  ca_fingerprint: string;
  signing_public_key: string;
  setup_needed: boolean;
}

/** An enrollment token as listed. */
export interface EnrollmentToken {
  id: string;
  group_id: string | null;
  tags: string[];
  expires_at: string;
  max_uses: number | null;
  uses: number;
  revoked: boolean;
  created_at: string;
}

/** A newly created enrollment token: the secret and install line are shown once. */
export interface CreatedEnrollmentToken extends EnrollmentToken {
  token: string;
  install_line: string;
  server_url: string;
  ca_fingerprint: string;
  signing_public_key: string;
}

/** POST /api/v1/queries/live. */
export interface LiveQueryStarted {
  id: string;
  targeted: number;
  online: number;
  offline: number;
  deadline_at: string;
}

/** Per-device status of a live query. */
export type CampaignDeviceStatus = 'pending' | 'running' | 'done' | 'error' | 'offline' | 'timeout';

/** The closing numbers of a live query. */
export interface CampaignSummary {
  targeted: number;
  answered: number;
  errors: number;
  offline: number;
  timeout: number;
  rows: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

/** Events of /api/v1/queries/live/:id/stream. */
export type CampaignEvent =
  | { type: 'status'; device_id: string; hostname: string; status: CampaignDeviceStatus; error?: string }
  | {
      type: 'rows';
      device_id: string;
      hostname: string;
      columns: string[];
      rows: unknown[][];
      warnings: string[];
      truncated: boolean;
    }
  | { type: 'summary'; summary: CampaignSummary };

/** A saved (optionally scheduled) query. */
export interface SavedQuery {
  id: string;
  name: string;
  description: string;
  sql: string;
  targets: import('@vigil/protocol').TargetsT;
  interval_s: number | null;
  cron: string | null;
  mode: 'snapshot' | 'differential';
  enabled: boolean;
  created_at: string;
}

/** A catalogue entry of GET /api/v1/checks. */
export interface CheckSummary {
  name: string;
  title: string;
  severity: string;
  category: string;
  platforms: string[];
  verified: boolean;
  parameters: import('@vigil/protocol').CheckParameterT[];
}

/** A current result of one check on one device. */
export interface CheckResult {
  device_id: string;
  hostname: string;
  check_name: string;
  severity: string;
  status: string;
  since: string;
  last_run_at: string;
  evidence: unknown;
  error: string | null;
}

/** GET /api/v1/checks/compliance. */
export interface Compliance {
  score: number | null;
  passing: number;
  applicable: number;
  most_failed: Array<{ check: string; devices: number }>;
  history: Array<{ at: string; score: number }>;
}

/** An account or group override of a check. */
export interface CheckOverride {
  group_id: string | null;
  check: string;
  enabled: boolean | null;
  params: Record<string, unknown>;
}

/** The table declarations the build ships (table-schema.json). */
export interface TableSchema {
  tables: Array<{
    name: string;
    description: string;
    columns: Array<{ name: string; type: string; required: boolean }>;
  }>;
}
