/** A one-click live query on this device: SQL box, Run, rows streaming in below. */
import { type FormEvent, useState } from 'react';
import { useSession } from '../../app/session.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { CampaignView } from '../queries/campaign-view.js';
import { useCampaign } from '../queries/use-campaign.js';

/** One-click questions about a device; the box stays editable. */
const PRESETS: Array<{ label: string; sql: string }> = [
  {
    label: 'Top processes',
    sql: 'SELECT pid, name, resident_size FROM processes ORDER BY resident_size DESC LIMIT 10',
  },
  { label: 'Installed software', sql: 'SELECT name, version, arch FROM deb_packages ORDER BY name' },
  { label: 'Listening ports', sql: 'SELECT pid, port, protocol, address FROM listening_ports ORDER BY port' },
  { label: 'Users', sql: 'SELECT uid, username, shell, directory FROM users ORDER BY uid' },
];
const DEFAULT_SQL = (PRESETS[0] as { sql: string }).sql;

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
      <div className="row-buttons" role="toolbar" aria-label="Preset queries">
        {PRESETS.map((p) => (
          <button
            key={p.label}
            type="button"
            className="secondary"
            onClick={() => {
              setSql(p.sql);
              void campaign.start({ sql: p.sql, targets: { devices: [deviceId] }, timeout_s: 30 });
            }}
          >
            {p.label}
          </button>
        ))}
      </div>
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
