/** The newest audit entries (the audit log is for admins; others are told so). */
import type { AuditEntryT, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { AuditTable } from '../settings/audit-table.js';

export function RecentAudit() {
  const { can } = useSession();
  const admin = can('admin');
  const page = useApi<Page<AuditEntryT>>(admin ? '/api/v1/audit?limit=10' : null, 10000);
  return (
    <Panel
      title="Recent audit entries"
      actions={admin ? <Link to="/settings#audit">Full audit log</Link> : null}
    >
      {admin ? (
        page.data ? (
          <AuditTable entries={page.data.items} />
        ) : null
      ) : (
        <p className="muted">The audit log is visible to admins.</p>
      )}
      <ErrorNote error={page.error} />
    </Panel>
  );
}
