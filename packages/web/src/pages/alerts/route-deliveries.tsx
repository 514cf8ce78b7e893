/** The deliveries of one notification route: its dead letters by default, or all recent ones. */
import type { NotificationDeliveryT } from '@vigil/protocol';
import { useState } from 'react';
import { qs } from '../../api/client.js';
import type { Page } from '../../api/types.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

export function RouteDeliveries({ routeId, routeName }: { routeId: string; routeName: string }) {
  const [status, setStatus] = useState<'dead' | ''>('dead');
  const list = useApi<Page<NotificationDeliveryT>>(
    `/api/v1/notifications/deliveries${qs({ route: routeId, status, limit: 20 })}`,
    10_000,
  );
  const items = list.data?.items ?? [];
  return (
    <section aria-label={`Deliveries of ${routeName}`}>
      <label>
        Show deliveries of {routeName}
        <select value={status} onChange={(e) => setStatus(e.target.value as 'dead' | '')}>
          <option value="dead">dead letters</option>
          <option value="">all recent</option>
        </select>
      </label>
      <ErrorNote error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && items.length === 0 ? (
        <p className="muted">{status === 'dead' ? 'No dead letters.' : 'Nothing sent yet.'}</p>
      ) : null}
      {items.length > 0 ? (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Kind</th>
              <th scope="col">Alerts</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td>
                  <Time iso={d.created_at} />
                </td>
                <td>{d.kind}</td>
                <td>{d.alert_ids.length}</td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>{d.attempts}</td>
                <td className="error-text">{d.last_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
