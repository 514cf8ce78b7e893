/**
 * The alert inbox: filter by status, severity and rule; repeated occurrences are coalesced into
 * one alert with a count; open one (?alert=) for its context and to acknowledge or resolve it.
 * Refreshed every 5 s. On a server without the alerts API the page says so.
 */
import type { AlertSummaryT } from '@vigil/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { qs } from '../../api/client.js';
import type { Page } from '../../api/types.js';
import { Link, navigate, useLocation } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, isMissingRoute, NotAvailable } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';
import { AlertDetail } from './alert-detail.js';

export default function AlertsPage() {
  const { search } = useLocation();
  const filters = {
    status: search.get('status') ?? 'open',
    severity: search.get('severity') ?? '',
    rule: search.get('rule') ?? '',
  };
  const selected = search.get('alert');
  const [draft, setDraft] = useState(filters);
  const key = `${filters.status}|${filters.severity}|${filters.rule}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the filters.
  useEffect(() => setDraft(filters), [key]);
  const pages = useCursorPages();
  const list = useApi<Page<AlertSummaryT>>(
    `/api/v1/alerts${qs({ ...filters, limit: 50, cursor: pages.cursor })}`,
    { live: ['alerts'] },
  );
  if (isMissingRoute(list.error))
    return (
      <>
        <h1>Alerts</h1>
        <NotAvailable feature="Alerts" />
      </>
    );
  const apply = (e: FormEvent) => {
    e.preventDefault();
    pages.reset();
    navigate(`/alerts${qs(draft)}`);
  };
  const items = list.data?.items ?? [];
  return (
    <>
      <h1>Alerts</h1>
      {selected ? <AlertDetail key={selected} id={selected} onChanged={list.reload} /> : null}
      <Panel title="Inbox">
        <form className="filters" onSubmit={apply} aria-label="Filter alerts">
          <label>
            Status
            <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
              <option value="">any</option>
              <option>open</option>
              <option>acknowledged</option>
              <option>resolved</option>
              <option>suppressed</option>
            </select>
          </label>
          <label>
            Severity
            <select value={draft.severity} onChange={(e) => setDraft({ ...draft, severity: e.target.value })}>
              <option value="">any</option>
              <option>critical</option>
              <option>high</option>
              <option>medium</option>
              <option>low</option>
              <option>info</option>
            </select>
          </label>
          <label>
            Rule (e.g. <code>agent.*</code>)
            <input
              value={draft.rule}
              maxLength={160}
              pattern="[A-Za-z0-9_.:*\-]+"
              onChange={(e) => setDraft({ ...draft, rule: e.target.value })}
            />
          </label>
          <button type="submit">Apply filters</button>
        </form>
        <ErrorNote error={list.error} />
        {list.data && items.length === 0 ? <p className="muted">No alert matches.</p> : null}
        {items.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">Severity</th>
                <th scope="col">Device</th>
                <th scope="col">Count</th>
                <th scope="col">Last seen</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} className={a.id === selected ? 'selected' : undefined}>
                  <td>
                    <Link to={`/alerts${qs({ ...filters, alert: a.id })}`}>{a.title}</Link>
                    <div className="muted small">{a.rule}</div>
                  </td>
                  <td>{a.severity}</td>
                  <td>{a.device ? <Link to={`/devices/${a.device.id}`}>{a.device.hostname}</Link> : '—'}</td>
                  <td>{a.count}</td>
                  <td>
                    <Time iso={a.last_seen} />
                  </td>
                  <td>
                    <StatusBadge status={a.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager
          page={pages.page}
          nextCursor={list.data?.next_cursor}
          onNext={pages.next}
          onPrev={pages.prev}
        />
      </Panel>
      <p className="muted small">
        Suppressions, notification routes and automated responses:{' '}
        <Link to="/alert-settings">Alert settings</Link>.
      </p>
    </>
  );
}
