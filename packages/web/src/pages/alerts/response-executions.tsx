/**
 * What automated responses did lately: agents report each execution (dry runs and refusals too)
 * and the server writes it to the audit log as `action.automated`, which only admins read.
 */
import type { AuditEntryT } from '@vigil/protocol';
import type { Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function ResponseExecutions() {
  const list = useApi<Page<AuditEntryT>>('/api/v1/audit?action=action.automated&limit=25', 15_000);
  const items = list.data?.items ?? [];
  return (
    <section aria-label="Recent executions">
      <h3>Recent executions</h3>
      <ErrorNote error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && items.length === 0 ? <p className="muted">No automated response has run yet.</p> : null}
      {items.length > 0 ? (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Device</th>
              <th scope="col">Response</th>
              <th scope="col">Action</th>
              <th scope="col">Result</th>
              <th scope="col">Summary</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <Time iso={e.at} />
                </td>
                <td>
                  {e.target?.startsWith('device:') ? (
                    <Link to={`/devices/${e.target.slice('device:'.length)}`}>{e.actor_name}</Link>
                  ) : (
                    e.actor_name
                  )}
                </td>
                <td>{text(e.detail.response)}</td>
                <td>
                  <code>{text(e.detail.action)}</code>
                </td>
                <td>
                  <StatusBadge status={text(e.detail.status) || e.outcome} />
                  {e.detail.dry_run ? ' (dry run)' : ''}
                </td>
                <td>{text(e.detail.summary ?? e.detail.message)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
