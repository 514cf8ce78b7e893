/**
 * Suppress from an alert (admins): mute new alerts of its rule (or a pattern) on its device, one
 * of the device's groups, or everywhere, for a while or until deleted. Alerts already raised stay
 * as they are, so this alert is still to be handled.
 */
import type { AlertT, DeviceT, SuppressionT } from '@vigil/protocol';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api/client.js';
import { Link } from '../../app/router.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import {
  SUPPRESS_DURATIONS,
  type SuppressDraft,
  suppressDraftFor,
  suppressionBody,
} from './suppression-body.js';

export function SuppressForm({ alert }: { alert: AlertT }) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<SuppressDraft>(() => suppressDraftFor(alert));
  const device = useApi<DeviceT>(open && alert.device ? `/api/v1/devices/${alert.device.id}` : null);
  const groups = device.data?.groups ?? [];
  const create = useAction(async (d: SuppressDraft) => {
    let body: ReturnType<typeof suppressionBody>;
    try {
      body = suppressionBody(d, alert);
    } catch (e) {
      throw new ApiError(400, 'E_VALIDATION', (e as Error).message);
    }
    return api<SuppressionT>('POST', '/api/v1/alerts/suppressions', body);
  });
  const set = (patch: Partial<SuppressDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await create.run(draft)) setOpen(false);
  };
  const done = create.result;
  if (!open)
    return (
      <div className="controls">
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          Suppress…
        </button>
        {done ? (
          <span role="status" data-testid="suppressed">
            Suppressed: new <code>{done.rule}</code> alerts
            {done.device_id ? ' on this device' : done.group ? ` in group ${done.group.name}` : ' everywhere'}{' '}
            are muted{' '}
            {done.expires_at ? `until ${new Date(done.expires_at).toLocaleString()}` : 'until deleted'}.{' '}
            <Link to="/alert-settings#suppressions">See suppressions</Link>
          </span>
        ) : null}
      </div>
    );
  return (
    <form onSubmit={submit} aria-label="Suppress alerts like this one">
      <h3>Suppress alerts like this one</h3>
      <p className="muted small">New alerts that match are stored as suppressed and not notified.</p>
      <label>
        Rule or pattern (<code>*</code> matches anything)
        <input
          required
          maxLength={160}
          pattern="[A-Za-z0-9_.:*\-]+"
          value={draft.rule}
          onChange={(e) => set({ rule: e.target.value })}
        />
      </label>
      <fieldset>
        <legend>Where</legend>
        <label className="radio">
          <input
            type="radio"
            name="suppress-scope"
            checked={draft.scope === 'device'}
            disabled={!alert.device}
            onChange={() => set({ scope: 'device' })}
          />
          This device{alert.device ? ` (${alert.device.hostname})` : ' (the alert has none)'}
        </label>
        <label className="radio">
          <input
            type="radio"
            name="suppress-scope"
            checked={draft.scope === 'group'}
            disabled={groups.length === 0}
            onChange={() => set({ scope: 'group', group: draft.group || (groups[0]?.name ?? '') })}
          />
          A group of the device{alert.device && device.data && groups.length === 0 ? ' (it is in none)' : ''}
        </label>
        {draft.scope === 'group' ? (
          <label>
            Group
            <select value={draft.group} onChange={(e) => set({ group: e.target.value })}>
              {groups.map((g) => (
                <option key={g.id} value={g.name}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="radio">
          <input
            type="radio"
            name="suppress-scope"
            checked={draft.scope === 'everywhere'}
            onChange={() => set({ scope: 'everywhere' })}
          />
          Every device
        </label>
      </fieldset>
      <label>
        For
        <select value={draft.duration} onChange={(e) => set({ duration: e.target.value })}>
          {SUPPRESS_DURATIONS.map((d) => (
            <option key={d.label} value={d.seconds === null ? '' : String(d.seconds)}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason (optional)
        <input maxLength={1024} value={draft.reason} onChange={(e) => set({ reason: e.target.value })} />
      </label>
      <div className="row-buttons">
        <button type="submit" disabled={create.pending}>
          Suppress
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={create.error} />
    </form>
  );
}
