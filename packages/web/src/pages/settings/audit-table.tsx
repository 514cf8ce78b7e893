/** Audit entries as a table: when, who, what, target, outcome, source. */
import type { AuditEntryT } from '../../api/types.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

export function AuditTable({ entries }: { entries: AuditEntryT[] }) {
  if (entries.length === 0) return <p className="muted">No entries.</p>;
  return (
    <table className="audit">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>
              <Time iso={e.at} />
            </td>
            <td title={e.actor}>{e.actor_name}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>{e.target ?? ''}</td>
            <td>
              <StatusBadge status={e.outcome} />
            </td>
            <td>{e.source_ip ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
