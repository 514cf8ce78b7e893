/** Settings: users and roles, API tokens, the audit log. */
import { useSession } from '../../app/session.js';
import { Panel } from '../../components/panel.js';
import { ApiTokensPanel } from './api-tokens-panel.js';
import { AuditLog } from './audit-log.js';
import { UsersPanel } from './users-panel.js';

export default function SettingsPage() {
  const { can } = useSession();
  return (
    <>
      <h1>Settings</h1>
      <UsersPanel />
      <ApiTokensPanel />
      <div id="audit">
        {can('admin') ? (
          <AuditLog />
        ) : (
          <Panel title="Audit log">
            <p className="muted">The audit log is visible to admins.</p>
          </Panel>
        )}
      </div>
    </>
  );
}
