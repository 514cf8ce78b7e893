/**
 * One device: facts, live metrics, checks with evidence, a live query box, alerts, action history,
 * installed software, controls by role.
 */
import type { DeviceT } from '../../api/types.js';
import type { PageProps } from '../../app/routes.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, Loading } from '../../components/notice.js';
import { StatusBadge } from '../../components/status-badge.js';
import { DeviceActionHistory } from './device-action-history.js';
import { DeviceAlerts } from './device-alerts.js';
import { DeviceChecks } from './device-checks.js';
import { DeviceControls } from './device-controls.js';
import { DeviceFacts } from './device-facts.js';
import { DeviceSoftware } from './device-software.js';
import { MetricsPanel } from './metrics/metrics-panel.js';
import { QuickQuery } from './quick-query.js';

export default function DevicePage({ params }: PageProps) {
  const id = params['id'] ?? '';
  const device = useApi<DeviceT>(`/api/v1/devices/${encodeURIComponent(id)}`, { live: ['devices'] });
  if (device.error && !device.data)
    return (
      <>
        <h1>Device</h1>
        <ErrorNote error={device.error} />
      </>
    );
  if (!device.data) return <Loading what="Loading the device" />;
  const d = device.data;
  return (
    <>
      <h1>
        {d.hostname} <StatusBadge status={d.status} />
      </h1>
      <DeviceControls device={d} onChanged={device.reload} />
      <div className="two-col">
        <DeviceFacts device={d} />
        <MetricsPanel deviceId={d.id} />
      </div>
      <QuickQuery deviceId={d.id} />
      <DeviceAlerts deviceId={d.id} />
      <DeviceChecks deviceId={d.id} />
      <DeviceActionHistory deviceId={d.id} />
      <DeviceSoftware device={d} />
    </>
  );
}
