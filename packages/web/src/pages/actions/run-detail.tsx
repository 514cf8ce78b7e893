/** One run: status, approvals, per-device results; cancel, approve/reject, undo by role. Refreshed every 2 s. */
import { api } from '../../api/client.js';
import type { ActionRunDetailT, ActionRunT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

const OPEN = new Set(['pending_approval', 'running']);

export function RunDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { can, me } = useSession();
  const run = useApi<ActionRunDetailT>(`/api/v1/actions/${encodeURIComponent(id)}`, 2000);
  const decide = useAction((verb: string) =>
    api<ActionRunT>('POST', `/api/v1/actions/${encodeURIComponent(id)}/${verb}`, {}),
  );
  const act = async (verb: string) => {
    if (await decide.run(verb)) {
      run.reload();
      onChanged();
    }
  };
  const r = run.data;
  if (!r) return <Panel title="Run">{run.error ? <ErrorNote error={run.error} /> : <Loading />}</Panel>;
  const mine = r.requested_by.id === me.user.id;
  return (
    <Panel title={`Run ${r.action}${r.dry_run ? ' (dry run)' : ''}`}>
      <p>
        <StatusBadge status={r.status} /> requested by {r.requested_by.name} <Time iso={r.created_at} />
        {r.approved_by ? `, approved by ${r.approved_by.name}` : ''}
        {r.status_reason ? ` — ${r.status_reason}` : ''}
      </p>
      {r.reason ? <p>Reason: {r.reason}</p> : null}
      <p className="muted small">
        Parameters <code>{JSON.stringify(r.params)}</code>; batch {r.current_batch} of {r.batch_count}.
      </p>
      <div className="row-buttons">
        {r.status === 'pending_approval' && can('admin') && !mine ? (
          <>
            <button type="button" onClick={() => void act('approve')}>
              Approve
            </button>
            <button type="button" className="danger" onClick={() => void act('reject')}>
              Reject
            </button>
          </>
        ) : null}
        {OPEN.has(r.status) && (can('admin') || (can('analyst') && mine)) ? (
          <button type="button" onClick={() => void act('cancel')}>
            Cancel run
          </button>
        ) : null}
        {r.status === 'completed' && !r.dry_run && can('analyst') ? (
          <button type="button" onClick={() => void act('undo')}>
            Undo
          </button>
        ) : null}
      </div>
      <ErrorNote error={decide.error ?? run.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Status</th>
            <th scope="col">Result</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {r.devices.map((d) => (
            <tr key={d.device_id}>
              <td>{d.hostname}</td>
              <td>
                <StatusBadge status={d.status} />
              </td>
              <td>
                {d.error ? <span className="error-text">{d.error}</span> : null}
                {d.result ? (
                  <details>
                    <summary>{String((d.result as { summary?: unknown }).summary ?? 'result')}</summary>
                    <pre className="evidence">{JSON.stringify(d.result, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
              <td>
                <Time iso={d.finished_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}
