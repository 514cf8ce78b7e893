/** What the "Suppress" form of an alert sends: the rule, where it applies, until when, and why. */
import type { AlertT, CreateSuppressionBodyT } from '@vigil/protocol';

/** Where a suppression applies: the alert's device, one of its groups, or every device. */
export type SuppressScope = 'device' | 'group' | 'everywhere';

/** The form as typed. `duration` is seconds as text, or '' for no expiry. */
export interface SuppressDraft {
  rule: string;
  scope: SuppressScope;
  group: string;
  duration: string;
  reason: string;
}

/** The expiries the form offers (seconds; null: never expires). */
export const SUPPRESS_DURATIONS: Array<{ label: string; seconds: number | null }> = [
  { label: '1 hour', seconds: 3600 },
  { label: '8 hours', seconds: 8 * 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 7 * 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
  { label: 'never (until deleted)', seconds: null },
];

/** The form's starting point for an alert: its rule, its device (or everywhere), one day. */
export function suppressDraftFor(alert: Pick<AlertT, 'rule' | 'device'>): SuppressDraft {
  return {
    rule: alert.rule,
    scope: alert.device ? 'device' : 'everywhere',
    group: '',
    duration: '86400',
    reason: '',
  };
}

/**
 * The API body for a draft. The API wants a reason; when none is typed, the alert's title says
 * where the suppression came from, so the list stays readable. Throws when the scope cannot apply.
 */
export function suppressionBody(
  draft: SuppressDraft,
  alert: Pick<AlertT, 'title' | 'device'>,
): CreateSuppressionBodyT {
  const reason = (draft.reason.trim() || `Suppressed from the alert "${alert.title}"`).slice(0, 1024);
  const body: CreateSuppressionBodyT = { rule: draft.rule.trim(), reason };
  if (draft.scope === 'device') {
    if (!alert.device) throw new Error('this alert has no device: suppress it on a group or everywhere');
    body.device = alert.device.id;
  } else if (draft.scope === 'group') {
    if (!draft.group) throw new Error('choose the group the suppression applies to');
    body.group = draft.group;
  }
  if (draft.duration) body.duration_s = Number(draft.duration);
  return body;
}
