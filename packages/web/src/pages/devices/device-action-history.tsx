/** The device's action history: runs that included it, newest first, with its own outcome; paged. */
import type { DeviceActionRunT } from '@vigil/protocol';
import type { Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

const PAGE = 10;

/** What the device reported for a run: the agent's summary, else the error, else nothing yet. */
export function outcomeText(entry: DeviceActionRunT): string {
  const summary = entry.result?.['summary'];
  if (typeof summary === 'string' && summary) return summary;
  return entry.error ?? '';
}

export function DeviceActionHistory({ deviceId }: { deviceId: string }) {
  const pages = useCursorPages();
  const history = useApi<Page<DeviceActionRunT>>(
    `/api/v1/devices/${encodeURIComponent(deviceId)}/actions?limit=${PAGE}${
      pages.cursor ? `&cursor=${encodeURIComponent(pages.cursor)}` : ''
    }`,
    10000,
  );
  const items = history.data?.items ?? [];
  return (
    <Panel title="Action history" actions={<Link to="/actions">Actions</Link>}>
      <ErrorNote error={history.error} />
      {history.data && items.length === 0 ? <p className="muted">No action has run on this device.</p> : null}
      {items.length > 0 ? (
        <table className="compact" aria-label="Action runs on this device">
          <thead>
            <tr>
              <th scope="col">Requested</th>
              <th scope="col">Action</th>
              <th scope="col">On this device</th>
              <th scope="col">Outcome</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.run_id}>
                <td>
                  <Time iso={e.created_at} />
                </td>
                <td>
                  <Link to={`/actions?run=${encodeURIComponent(e.run_id)}`}>
                    {e.action}
                    {e.dry_run ? ' (dry run)' : ''}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>{outcomeText(e)}</td>
                <td>{e.requested_by.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {history.data?.next_cursor || pages.page > 1 ? (
        <Pager
          page={pages.page}
          nextCursor={history.data?.next_cursor}
          onNext={pages.next}
          onPrev={pages.prev}
        />
      ) : null}
    </Panel>
  );
}
