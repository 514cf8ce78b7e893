/** A one-click live query on this device: SQL box, Run, rows streaming in below. */
import { type FormEvent, useState } from 'react';
import { useSession } from '../../app/session.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { CampaignView } from '../queries/campaign-view.js';
import { useCampaign } from '../queries/use-campaign.js';

const DEFAULT_SQL = 'SELECT pid, name, resident_size FROM processes ORDER BY resident_size DESC LIMIT 10';

export function QuickQuery({ deviceId }: { deviceId: string }) {
  const { can } = useSession();
  const [sql, setSql] = useState(DEFAULT_SQL);
  const campaign = useCampaign();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void campaign.start({ sql, targets: { devices: [deviceId] }, timeout_s: 30 });
  };
  if (!can('analyst'))
    return (
      <Panel title="Live query">
        <p className="muted">Running live queries needs the analyst role.</p>
      </Panel>
    );
  return (
    <Panel title="Live query">
      <form onSubmit={submit} aria-label="Live query on this device">
        <label>
          SQL
          <textarea
            className="sql"
            rows={3}
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            spellCheck={false}
          />
        </label>
        <button type="submit" disabled={campaign.starting}>
          Run query
        </button>
      </form>
      <ErrorNote error={campaign.error} />
      {campaign.state ? <CampaignView state={campaign.state} /> : null}
    </Panel>
  );
}
