/** The device's recent alerts (newest activity first); nothing is shown on a server without alerts. */
import type { AlertSummaryT } from '@vigil/protocol';
import type { Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, isMissingRoute } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

export function DeviceAlerts({ deviceId }: { deviceId: string }) {
  const alerts = useApi<Page<AlertSummaryT>>(
    `/api/v1/alerts?device=${encodeURIComponent(deviceId)}&limit=20`,
    { live: ['alerts'] },
  );
  if (isMissingRoute(alerts.error)) return null;
  const items = alerts.data?.items ?? [];
  return (
    <Panel title="Alerts" actions={<Link to={`/alerts?status=`}>Inbox</Link>}>
      <ErrorNote error={alerts.error} />
      {alerts.data && items.length === 0 ? <p className="muted">No alerts for this device.</p> : null}
      <ul className="members">
        {items.map((a) => (
          <li key={a.id}>
            <StatusBadge status={a.status} /> {a.severity}{' '}
            <Link to={`/alerts?status=&alert=${encodeURIComponent(a.id)}`}>{a.title}</Link>
            {a.count > 1 ? ` ×${a.count}` : ''} <Time iso={a.last_seen} />
          </li>
        ))}
      </ul>
    </Panel>
  );
}
