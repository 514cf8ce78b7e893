/** Devices whose latest host metrics are above 90 % CPU, memory or disk (the fleet roll-up). */
import type { FleetMetricsResponseT } from '@vigil/protocol';
import { Link } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, isMissingRoute, NotAvailable } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} %`);

export function LoadedDevices() {
  const fleet = useApi<FleetMetricsResponseT>(
    '/api/v1/metrics/fleet?cpu_above=90&mem_above=90&disk_above=90&max_age_s=900&limit=20',
    15000,
  );
  if (isMissingRoute(fleet.error))
    return (
      <Panel title="Devices above 90 %">
        <NotAvailable feature="Host metrics" />
      </Panel>
    );
  const items = fleet.data?.items ?? [];
  return (
    <Panel title="Devices above 90 %">
      <ErrorNote error={fleet.error} />
      {fleet.data && items.length === 0 ? (
        <p className="muted">No device is above 90 % CPU, memory or disk in its latest sample.</p>
      ) : null}
      {items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
              <th scope="col">Fullest disk</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.device_id}>
                <td>
                  <Link to={`/devices/${d.device_id}`}>{d.hostname}</Link>
                </td>
                <td>{pct(d.cpu_pct)}</td>
                <td>{pct(d.mem_pct)}</td>
                <td>
                  {pct(d.disk_pct)} {d.disk_mount ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {fleet.data && fleet.data.total > items.length ? (
        <p className="muted small">{fleet.data.total - items.length} more not shown.</p>
      ) : null}
    </Panel>
  );
}
