/** One check: why it matters, its query, remediation, parameters, and its result on every device. */
import type { CheckDefinitionT, CheckResult, Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';
import { Evidence } from '../devices/device-checks.js';

export function CheckDetail({ name }: { name: string }) {
  const check = useApi<CheckDefinitionT>(`/api/v1/checks/${encodeURIComponent(name)}`);
  const results = useApi<Items<CheckResult>>(
    `/api/v1/checks/results?check=${encodeURIComponent(name)}`,
    10000,
  );
  const c = check.data;
  return (
    <Panel title={name}>
      <ErrorNote error={check.error ?? results.error} />
      {!c ? (
        check.error ? null : (
          <Loading />
        )
      ) : (
        <>
          <p>
            <strong>{c.title}</strong> ({c.severity}, {c.category})
          </p>
          <p>{c.description}</p>
          <details>
            <summary>Query</summary>
            <pre className="evidence">{c.query}</pre>
          </details>
          <p>
            <strong>Remediation:</strong> {c.remediation.text}
          </p>
          {(c.parameters ?? []).length > 0 ? (
            <p>
              Parameters:{' '}
              {(c.parameters ?? []).map((p) => (
                <span key={p.name} className="chip">
                  {p.name} = {JSON.stringify(p.default)}
                </span>
              ))}
            </p>
          ) : null}
        </>
      )}
      <h3>Results by device</h3>
      {results.data && results.data.items.length === 0 ? (
        <p className="muted">No device has reported this check.</p>
      ) : null}
      {(results.data?.items.length ?? 0) > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Result</th>
              <th scope="col">Since</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {(results.data?.items ?? []).map((r) => (
              <tr key={r.device_id}>
                <td>
                  <Link to={`/devices/${r.device_id}`}>{r.hostname}</Link>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  <Time iso={r.since} />
                </td>
                <td>
                  {r.error ? <span className="error-text">{r.error}</span> : null}
                  <Evidence evidence={r.evidence} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Panel>
  );
}
