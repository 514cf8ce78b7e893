/** The state of one live query as its SSE events arrive (a pure reducer, so it is easy to reason about). */
import type {
  CampaignDeviceStatus,
  CampaignEvent,
  CampaignSummary,
  LiveQueryStarted,
} from '../../api/types.js';

/** One device's part of a live query. */
export interface DeviceProgress {
  device_id: string;
  hostname: string;
  status: CampaignDeviceStatus;
  error?: string;
  rows: number;
  warnings: string[];
  truncated: boolean;
}

/** Everything known about a live query so far. */
export interface CampaignState {
  started: LiveQueryStarted;
  devices: Record<string, DeviceProgress>;
  /** Result blocks in arrival order, one per device that answered. */
  blocks: Array<{ device_id: string; hostname: string; columns: string[]; rows: unknown[][] }>;
  summary: CampaignSummary | null;
}

/** A fresh state for a query that was just started. */
export function initialCampaign(started: LiveQueryStarted): CampaignState {
  return { started, devices: {}, blocks: [], summary: null };
}

/** Fold one stream event into the state; a replayed event (after a reconnect) changes nothing. */
export function applyCampaignEvent(state: CampaignState, e: CampaignEvent): CampaignState {
  if (e.type === 'summary') return { ...state, summary: e.summary };
  const prev = state.devices[e.device_id] ?? {
    device_id: e.device_id,
    hostname: e.hostname,
    status: 'running' as CampaignDeviceStatus,
    rows: 0,
    warnings: [],
    truncated: false,
  };
  if (e.type === 'rows') {
    if (state.blocks.some((b) => b.device_id === e.device_id)) return state;
    return {
      ...state,
      devices: {
        ...state.devices,
        [e.device_id]: { ...prev, rows: e.rows.length, warnings: e.warnings, truncated: e.truncated },
      },
      blocks: [
        ...state.blocks,
        { device_id: e.device_id, hostname: e.hostname, columns: e.columns, rows: e.rows },
      ],
    };
  }
  return {
    ...state,
    devices: {
      ...state.devices,
      [e.device_id]: { ...prev, status: e.status, ...(e.error ? { error: e.error } : {}) },
    },
  };
}

/** The union of every block's columns, in first-seen order. */
export function campaignColumns(state: CampaignState): string[] {
  const seen: string[] = [];
  for (const b of state.blocks) for (const c of b.columns) if (!seen.includes(c)) seen.push(c);
  return seen;
}
