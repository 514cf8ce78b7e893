/** The checks failing on the most devices. */
import type { Compliance } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

export function MostFailedChecks() {
  const c = useApi<Compliance>('/api/v1/checks/compliance', 15000);
  const rows = c.data?.most_failed ?? [];
  return (
    <Panel title="Most-failed checks">
      {c.data && rows.length === 0 ? <p className="muted">No check fails anywhere.</p> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Devices failing</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.check}>
                <td>
                  <Link to={`/checks?check=${encodeURIComponent(r.check)}`}>{r.check}</Link>
                </td>
                <td>{r.devices}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ErrorNote error={c.error} />
    </Panel>
  );
}
