/** Overview: fleet presence, compliance, most-failed checks, recent audit entries; alerts once they exist. */
import { NotAvailable } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { ComplianceSummary } from './compliance-summary.js';
import { DeviceCounts } from './device-counts.js';
import { MostFailedChecks } from './most-failed-checks.js';
import { RecentAudit } from './recent-audit.js';

export default function OverviewPage() {
  return (
    <>
      <h1>Overview</h1>
      <div className="grid">
        <DeviceCounts />
        <ComplianceSummary />
        <Panel title="Alerts">
          <NotAvailable
            feature="Alerts"
            detail="The alert pipeline has not landed on this server yet, so there is nothing to count."
          />
        </Panel>
      </div>
      <MostFailedChecks />
      <RecentAudit />
    </>
  );
}
