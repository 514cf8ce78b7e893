/** Live query: write SQL (with completion), pick targets, watch rows stream in per device, export. */
import { type FormEvent, useState } from 'react';
import type { TargetsT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { CampaignView } from './campaign-view.js';
import { SavedQueries } from './saved-queries.js';
import { SqlEditor } from './sql-editor.js';
import { TargetPicker } from './target-picker.js';
import { useCampaign } from './use-campaign.js';

export default function LiveQueryPage() {
  const { can } = useSession();
  const [sql, setSql] = useState('SELECT name, version FROM os_version');
  const [targets, setTargets] = useState<TargetsT | null>({ all: true });
  const [timeout, setTimeoutS] = useState('30');
  const campaign = useCampaign();
  const run = () => {
    if (targets && sql.trim()) void campaign.start({ sql, targets, timeout_s: Number(timeout) || 30 });
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run();
  };
  return (
    <>
      <h1>Live query</h1>
      <Panel title="Query">
        <form onSubmit={submit} aria-label="Live query">
          <SqlEditor value={sql} onChange={setSql} onRun={can('analyst') ? run : undefined} />
          <TargetPicker onChange={setTargets} />
          <label>
            Time limit (seconds)
            <input
              type="number"
              min={1}
              max={600}
              value={timeout}
              onChange={(e) => setTimeoutS(e.target.value)}
            />
          </label>
          {can('analyst') ? (
            <button type="submit" disabled={campaign.starting || !targets || !sql.trim()}>
              Run query
            </button>
          ) : (
            <p className="muted">Running live queries needs the analyst role.</p>
          )}
        </form>
        <ErrorNote error={campaign.error} />
      </Panel>
      {campaign.state ? (
        <Panel title="Results">
          <CampaignView state={campaign.state} />
        </Panel>
      ) : null}
      <SavedQueries sql={sql} targets={targets} onLoad={(q) => setSql(q.sql)} onStarted={campaign.follow} />
    </>
  );
}
