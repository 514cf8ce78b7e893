/** Results by group: a group's compliance score and its failing results; analysts can scan it now. */
import { useState } from 'react';
import { api, qs } from '../../api/client.js';
import type { CheckResult, Compliance, GroupT, Items, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

export function GroupCompliance() {
  const { can } = useSession();
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const [group, setGroup] = useState('');
  const compliance = useApi<Compliance>(`/api/v1/checks/compliance${qs({ group })}`);
  const failing = useApi<Items<CheckResult>>(
    `/api/v1/checks/results${qs({ group, failing: true, limit: 500 })}`,
  );
  const scan = useAction(() =>
    api<{ scan_id: string; targeted: number; online: number }>('POST', '/api/v1/checks/scan', {
      targets: group ? { groups: [group] } : { all: true },
    }),
  );
  return (
    <Panel
      title="Results by group"
      actions={
        can('analyst') ? (
          <button type="button" onClick={() => void scan.run()} disabled={scan.pending}>
            Scan {group ? `group ${group}` : 'all devices'} now
          </button>
        ) : null
      }
    >
      <label>
        Group
        <select value={group} onChange={(e) => setGroup(e.target.value)}>
          <option value="">all devices</option>
          {(groups.data?.items ?? []).map((g) => (
            <option key={g.id} value={g.name}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      {scan.result ? (
        <p role="status">
          Scan sent to {scan.result.online} of {scan.result.targeted} targeted devices (the others are
          offline).
        </p>
      ) : null}
      <ErrorNote error={compliance.error ?? failing.error ?? scan.error} />
      {compliance.data ? (
        <p>
          Compliance:{' '}
          <strong>{compliance.data.score === null ? 'no results' : `${compliance.data.score} %`}</strong> (
          {compliance.data.passing} of {compliance.data.applicable} pass)
        </p>
      ) : null}
      <h3>Failing</h3>
      {failing.data && failing.data.items.length === 0 ? <p className="muted">Nothing fails.</p> : null}
      <ul>
        {(failing.data?.items ?? []).map((r) => (
          <li key={`${r.device_id}:${r.check_name}`}>
            <Link to={`/devices/${r.device_id}`}>{r.hostname}</Link>:{' '}
            <Link to={`/checks?check=${encodeURIComponent(r.check_name)}`}>{r.check_name}</Link> ({r.severity}
            )
          </li>
        ))}
      </ul>
    </Panel>
  );
}
