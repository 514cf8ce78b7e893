/** Active suppression rules of the account, with their hits; admins delete them. */
import type { DeviceT, SuppressionT } from '@vigil/protocol';
import { api } from '../../api/client.js';
import type { Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { Time } from '../../components/time.js';
import { ConfirmButton } from './confirm-button.js';

/** The device a suppression applies to, by hostname once loaded (a deleted device keeps its id). */
function DeviceLink({ id }: { id: string }) {
  const device = useApi<DeviceT>(`/api/v1/devices/${encodeURIComponent(id)}`);
  return <Link to={`/devices/${id}`}>{device.data?.hostname ?? `device ${id}`}</Link>;
}

function Scope({ s }: { s: SuppressionT }) {
  if (s.device_id) return <DeviceLink id={s.device_id} />;
  if (s.group) return <>group {s.group.name}</>;
  return <>every device</>;
}

export function SuppressionsPanel() {
  const { can } = useSession();
  const list = useApi<Items<SuppressionT>>('/api/v1/alerts/suppressions', 15_000);
  const remove = useAction((id: string) =>
    api('DELETE', `/api/v1/alerts/suppressions/${encodeURIComponent(id)}`),
  );
  const items = list.data?.items ?? [];
  return (
    <Panel title="Suppressions">
      <p className="muted small">
        New alerts matching an active suppression are stored as suppressed and not notified. Create one from
        an alert in the <Link to="/alerts">inbox</Link>.
      </p>
      <ErrorNote error={list.error ?? remove.error} />
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && items.length === 0 ? <p className="muted">No active suppression.</p> : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Where</th>
              <th scope="col">Reason</th>
              <th scope="col">Expires</th>
              <th scope="col">Hits</th>
              <th scope="col">Created</th>
              {can('admin') ? (
                <th scope="col">
                  <span className="sr-only">Delete</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id}>
                <td>
                  <code>{s.rule}</code>
                </td>
                <td>
                  <Scope s={s} />
                </td>
                <td>{s.reason}</td>
                <td>{s.expires_at ? <Time iso={s.expires_at} /> : 'never'}</td>
                <td>{s.hits}</td>
                <td>
                  <Time iso={s.created_at} /> <span className="muted small">by {s.created_by}</span>
                </td>
                {can('admin') ? (
                  <td>
                    <ConfirmButton
                      label={`Delete suppression of ${s.rule}`}
                      question={
                        <>
                          Delete the suppression of <code>{s.rule}</code>? New alerts of it are notified
                          again.
                        </>
                      }
                      confirmLabel="Yes, delete"
                      disabled={remove.pending}
                      onConfirm={async () => {
                        await remove.run(s.id);
                        list.reload();
                      }}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Panel>
  );
}
