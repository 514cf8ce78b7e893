/** A list of runs (the approvals queue or the history), newest first, paged, reloaded on run events. */
import { qs } from '../../api/client.js';
import type { ActionRunT, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Pager, useCursorPages } from '../../components/pager.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

export function RunList({ title, status }: { title: string; status?: string }) {
  const pages = useCursorPages();
  const list = useApi<Page<ActionRunT>>(`/api/v1/actions${qs({ status, limit: 20, cursor: pages.cursor })}`, {
    live: ['actions'],
  });
  const items = list.data?.items ?? [];
  return (
    <Panel title={title}>
      <ErrorNote error={list.error} />
      {list.data && items.length === 0 ? <p className="muted">None.</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Status</th>
              <th scope="col">Devices</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/actions?run=${encodeURIComponent(r.id)}`}>
                    {r.action}
                    {r.dry_run ? ' (dry run)' : ''}
                  </Link>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {Object.entries(r.counts)
                    .map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`)
                    .join(', ')}
                </td>
                <td>
                  {r.requested_by.name} <Time iso={r.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager page={pages.page} nextCursor={list.data?.next_cursor} onNext={pages.next} onPrev={pages.prev} />
    </Panel>
  );
}
