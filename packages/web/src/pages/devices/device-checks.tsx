/** A device's check results, failing first, with the evidence rows a failing check reported. */
import type { ReactNode } from 'react';
import type { CheckResult, Items } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { StatusBadge } from '../../components/status-badge.js';
import { Time } from '../../components/time.js';

const ORDER: Record<string, number> = { fail: 0, error: 1, pass: 2 };

export function Evidence({ evidence }: { evidence: unknown }) {
  if (evidence === null || evidence === undefined) return null;
  return (
    <details>
      <summary>Evidence</summary>
      <pre className="evidence">{JSON.stringify(evidence, null, 2)}</pre>
    </details>
  );
}

export function DeviceChecks({ deviceId, actions }: { deviceId: string; actions?: ReactNode }) {
  const results = useApi<Items<CheckResult>>(
    `/api/v1/checks/results?device=${encodeURIComponent(deviceId)}`,
    10000,
  );
  const items = [...(results.data?.items ?? [])].sort(
    (a, b) => (ORDER[a.status] ?? 3) - (ORDER[b.status] ?? 3) || a.check_name.localeCompare(b.check_name),
  );
  return (
    <Panel title="Checks and evidence" actions={actions}>
      <ErrorNote error={results.error} />
      {results.data && items.length === 0 ? (
        <p className="muted">No check results from this device yet.</p>
      ) : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Severity</th>
              <th scope="col">Result</th>
              <th scope="col">Since</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.check_name}>
                <td>
                  <Link to={`/checks?check=${encodeURIComponent(r.check_name)}`}>{r.check_name}</Link>
                </td>
                <td>{r.severity}</td>
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
