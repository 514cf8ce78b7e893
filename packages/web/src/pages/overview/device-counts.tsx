/**
 * Devices online, offline and lost. The devices API has no count endpoint, so each number is the
 * length of one page of up to 500 devices with that status, shown as "500+" when there are more.
 * Refreshed every 5 s.
 */
import { qs } from '../../api/client.js';
import type { DeviceT, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

const LIMIT = 500;

function Count({ status }: { status: 'online' | 'offline' | 'lost' }) {
  const page = useApi<Page<DeviceT>>(`/api/v1/devices${qs({ status, limit: LIMIT })}`, { live: ['devices'] });
  const n = page.data ? `${page.data.items.length}${page.data.next_cursor ? '+' : ''}` : '…';
  return (
    <li className={`count count-${status}`}>
      <Link to={`/devices?status=${status}`}>
        <span className="count-n" data-testid={`count-${status}`}>
          {n}
        </span>{' '}
        {status}
      </Link>
      <ErrorNote error={page.error} />
    </li>
  );
}

export function DeviceCounts() {
  return (
    <Panel title="Devices">
      <ul className="counts">
        <Count status="online" />
        <Count status="offline" />
        <Count status="lost" />
      </ul>
    </Panel>
  );
}
