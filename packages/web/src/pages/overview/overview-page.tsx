/** Overview: fleet presence, compliance, open alerts, most-failed checks, loaded devices, recent audit entries. */
import { ComplianceSummary } from './compliance-summary.js';
import { DeviceCounts } from './device-counts.js';
import { LoadedDevices } from './loaded-devices.js';
import { MostFailedChecks } from './most-failed-checks.js';
import { OpenAlerts } from './open-alerts.js';
import { RecentAudit } from './recent-audit.js';

export default function OverviewPage() {
  return (
    <>
      <h1>Overview</h1>
      <div className="grid">
        <DeviceCounts />
        <ComplianceSummary />
        <OpenAlerts />
      </div>
      <div className="two-col">
        <MostFailedChecks />
        <LoadedDevices />
      </div>
      <RecentAudit />
    </>
  );
}
