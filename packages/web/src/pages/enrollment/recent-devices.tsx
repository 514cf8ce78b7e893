/**
 * The most recently enrolled devices, reloaded on every device event of the console stream, so a
 * device appears here the moment its install line enrolls it; new ones are marked.
 */
import { useState } from 'react';
import type { DeviceT, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

export function RecentDevices() {
  const [openedAt] = useState(() => Date.now());
  const list = useApi<Page<DeviceT>>('/api/v1/devices?sort=enrolled_at&order=desc&limit=10', {
    live: ['devices'],
  });
  return (
    <Panel title="Recently enrolled">
      <ErrorNote error={list.error} />
      <ul className="members" aria-live="polite">
        {(list.data?.items ?? []).map((d) => (
          <li key={d.id}>
            <Link to={`/devices/${d.id}`}>{d.hostname}</Link> <StatusBadge status={d.status} /> enrolled{' '}
            <Time iso={d.enrolled_at} />
            {Date.parse(d.enrolled_at) >= openedAt ? <strong className="new"> new</strong> : null}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
