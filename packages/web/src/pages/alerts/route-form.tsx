/**
 * Create or edit a notification route: the channel's target, which alerts it takes (severity,
 * rule, group) and how it sends them (at once, rate-limited, or as a digest). Secret fields are
 * password inputs that start empty and are never filled from the server.
 */
import type { GroupT, NotificationRouteT, SeverityT } from '@vigil/protocol';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api/client.js';
import type { Page } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import {
  createRouteBody,
  draftFromRoute,
  emptyRouteDraft,
  FACILITIES,
  type RouteDraft,
  updateRouteBody,
} from './route-body.js';

const SEVERITIES: SeverityT[] = ['info', 'low', 'medium', 'high', 'critical'];

export function RouteForm({
  route,
  onSaved,
  onCancel,
}: {
  /** The route to edit; none to create one. */
  route?: NotificationRouteT;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const editing = route !== undefined;
  const [d, setDraft] = useState<RouteDraft>(() => (route ? draftFromRoute(route) : emptyRouteDraft()));
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const set = (patch: Partial<RouteDraft>) => setDraft((x) => ({ ...x, ...patch }));
  const save = useAction(async (draft: RouteDraft) => {
    let body: unknown;
    try {
      body = editing ? updateRouteBody(draft) : createRouteBody(draft);
    } catch (e) {
      throw new ApiError(400, 'E_VALIDATION', (e as Error).message);
    }
    return editing
      ? api<NotificationRouteT>('PATCH', `/api/v1/notifications/routes/${encodeURIComponent(route.id)}`, body)
      : api<NotificationRouteT>('POST', '/api/v1/notifications/routes', body);
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await save.run(d)) onSaved();
  };
  const web = d.channel === 'webhook' || d.channel === 'slack';
  const title = editing ? `Edit route ${route.name}` : 'New notification route';
  return (
    <form onSubmit={submit} aria-label={title}>
      <h3>{title}</h3>
      {editing ? null : (
        <>
          <label>
            Name
            <input
              required
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9 ._:\-]*"
              value={d.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          </label>
          <label>
            Kind
            <select
              value={d.channel}
              onChange={(e) => set({ channel: e.target.value as RouteDraft['channel'], port: '' })}
            >
              <option value="webhook">webhook (signed JSON POST)</option>
              <option value="slack">Slack-compatible incoming webhook</option>
              <option value="email">e-mail (SMTP)</option>
              <option value="syslog">syslog (RFC 5424)</option>
            </select>
          </label>
        </>
      )}
      <fieldset>
        <legend>Where it sends</legend>
        {web ? (
          <label>
            {editing ? 'URL (empty: keep the current one)' : 'URL'}
            <input
              type="url"
              required={!editing}
              maxLength={2048}
              placeholder={editing ? String(route.target.url ?? '') : 'https://'}
              value={d.url}
              onChange={(e) => set({ url: e.target.value })}
            />
          </label>
        ) : null}
        {d.channel === 'webhook' && !editing ? (
          <label>
            Signing secret (16+ characters; signs X-Vigil-Signature-256, never shown again)
            <input
              type="password"
              required
              minLength={16}
              maxLength={256}
              autoComplete="new-password"
              value={d.secret}
              onChange={(e) => set({ secret: e.target.value })}
            />
          </label>
        ) : null}
        {d.channel === 'webhook' && editing ? (
          <p className="muted small">
            The signing secret is kept and never shown; the API can rotate it (rotate_secret).
          </p>
        ) : null}
        {web ? null : (
          <>
            <label>
              {d.channel === 'email' ? 'SMTP server' : 'Syslog collector'}
              <input
                required
                maxLength={253}
                value={d.host}
                onChange={(e) => set({ host: e.target.value })}
              />
            </label>
            <label>
              Port
              <input
                type="number"
                required
                min={1}
                max={65535}
                value={d.port}
                onChange={(e) => set({ port: e.target.value })}
              />
            </label>
          </>
        )}
        {d.channel === 'email' ? (
          <>
            <label>
              TLS
              <select value={d.tls} onChange={(e) => set({ tls: e.target.value as RouteDraft['tls'] })}>
                <option value="starttls">STARTTLS (required)</option>
                <option value="implicit">implicit TLS (SMTPS)</option>
                <option value="none">none (a relay on loopback only)</option>
              </select>
            </label>
            <label>
              From
              <input type="email" required value={d.from} onChange={(e) => set({ from: e.target.value })} />
            </label>
            <label>
              To (comma-separated)
              <input required value={d.to} onChange={(e) => set({ to: e.target.value })} />
            </label>
            <label>
              SMTP user name (optional)
              <input
                maxLength={256}
                autoComplete="off"
                value={d.username}
                onChange={(e) => set({ username: e.target.value })}
              />
            </label>
            <label>
              {editing ? 'SMTP password (empty: keep the current one)' : 'SMTP password (optional)'}
              <input
                type="password"
                maxLength={256}
                autoComplete="new-password"
                value={d.password}
                onChange={(e) => set({ password: e.target.value })}
              />
            </label>
          </>
        ) : null}
        {d.channel === 'syslog' ? (
          <>
            <label>
              Transport
              <select
                value={d.transport}
                onChange={(e) => set({ transport: e.target.value as RouteDraft['transport'] })}
              >
                <option value="udp">UDP</option>
                <option value="tcp">TCP</option>
              </select>
            </label>
            {d.transport === 'tcp' ? (
              <label>
                TCP framing
                <select
                  value={d.framing}
                  onChange={(e) => set({ framing: e.target.value as RouteDraft['framing'] })}
                >
                  <option value="">octet counting (default)</option>
                  <option value="octet-counting">octet counting</option>
                  <option value="lf">newline-terminated</option>
                </select>
              </label>
            ) : null}
            <label>
              Facility
              <select value={d.facility} onChange={(e) => set({ facility: e.target.value })}>
                <option value="">local0 (default)</option>
                {FACILITIES.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
            <label>
              App name (optional, default vigil)
              <input maxLength={48} value={d.appName} onChange={(e) => set({ appName: e.target.value })} />
            </label>
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Which alerts</legend>
        <label>
          Minimum severity
          <select value={d.minSeverity} onChange={(e) => set({ minSeverity: e.target.value as SeverityT })}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Rule or pattern (<code>*</code>: every rule)
          <input
            maxLength={160}
            pattern="[A-Za-z0-9_.:*\-]+"
            value={d.rule}
            onChange={(e) => set({ rule: e.target.value })}
          />
        </label>
        <label>
          Devices in group
          <select value={d.group} onChange={(e) => set({ group: e.target.value })}>
            <option value="">any device</option>
            {(groups.data?.items ?? []).map((g) => (
              <option key={g.id} value={g.name}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <fieldset>
        <legend>How it sends</legend>
        <label className="radio">
          <input
            type="radio"
            name="route-delivery"
            checked={d.delivery === 'immediate'}
            onChange={() => set({ delivery: 'immediate' })}
          />
          Each alert at once
        </label>
        <label className="radio">
          <input
            type="radio"
            name="route-delivery"
            checked={d.delivery === 'rate'}
            onChange={() => set({ delivery: 'rate' })}
          />
          At most a number of messages per window, the rest as one digest
        </label>
        {d.delivery === 'rate' ? (
          <div className="inline-form">
            <label>
              Messages
              <input
                type="number"
                min={1}
                max={10000}
                required
                value={d.rateCount}
                onChange={(e) => set({ rateCount: e.target.value })}
              />
            </label>
            <label>
              Per window (seconds)
              <input
                type="number"
                min={1}
                max={86400}
                required
                value={d.rateWindow}
                onChange={(e) => set({ rateWindow: e.target.value })}
              />
            </label>
          </div>
        ) : null}
        <label className="radio">
          <input
            type="radio"
            name="route-delivery"
            checked={d.delivery === 'digest'}
            onChange={() => set({ delivery: 'digest' })}
          />
          One digest per window
        </label>
        {d.delivery === 'digest' ? (
          <label>
            Digest window (seconds)
            <input
              type="number"
              min={1}
              max={86400}
              required
              value={d.digestWindow}
              onChange={(e) => set({ digestWindow: e.target.value })}
            />
          </label>
        ) : null}
        <label>
          Attempts before a dead letter
          <input
            type="number"
            min={1}
            max={20}
            required
            value={d.maxAttempts}
            onChange={(e) => set({ maxAttempts: e.target.value })}
          />
        </label>
        <label className="radio">
          <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          Enabled
        </label>
      </fieldset>
      <div className="row-buttons">
        <button type="submit" disabled={save.pending}>
          {editing ? 'Save route' : 'Create route'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorNote error={save.error} />
    </form>
  );
}
