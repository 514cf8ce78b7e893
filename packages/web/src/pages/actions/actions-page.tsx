/**
 * Actions: the catalogue, a run form generated from the chosen action's parameter schema (with
 * dry run), the approvals queue, and the run history with per-device results (?run=).
 * On a server without the actions API the page says so.
 */
import { useState } from 'react';
import type { Items } from '../../api/types.js';
import { Link, navigate, useLocation } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote, isMissingRoute, Loading, NotAvailable } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { presetDeviceIds } from '../queries/preset-devices.js';
import { ActionRunForm } from './action-run-form.js';
import type { CatalogueEntry } from './action-types.js';
import { RunDetail } from './run-detail.js';
import { RunList } from './run-list.js';

function Catalogue({ items, selected }: { items: CatalogueEntry[]; selected: string | null }) {
  // Opened for a selection of devices: picking an action keeps them as its targets.
  const preset = presetDeviceIds(useLocation().search);
  const devicesSuffix = preset.length ? `&devices=${preset.join(',')}` : '';
  return (
    <Panel title="Catalogue">
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Title</th>
            <th scope="col">Risk</th>
            <th scope="col">Dry run</th>
            <th scope="col">Platforms</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.name} className={a.name === selected ? 'selected' : undefined}>
              <td>
                <Link to={`/actions?action=${encodeURIComponent(a.name)}${devicesSuffix}`}>{a.name}</Link>
              </td>
              <td>{a.title}</td>
              <td>
                {a.risk}
                {a.needs_approval ? ', needs approval' : ''}
              </td>
              <td>{a.dry_run ? 'yes' : 'no'}</td>
              <td>
                {a.platforms.map((p) => `${p.platform}${p.verified ? '' : ' (unverified)'}`).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

export default function ActionsPage() {
  const { can } = useSession();
  const { search } = useLocation();
  const selected = search.get('action');
  const runId = search.get('run');
  const [generation, setGeneration] = useState(0);
  const catalogue = useApi<Items<CatalogueEntry>>('/api/v1/actions/catalogue');
  if (isMissingRoute(catalogue.error))
    return (
      <>
        <h1>Actions</h1>
        <NotAvailable feature="Response actions" />
      </>
    );
  const items = catalogue.data?.items ?? [];
  const action = items.find((a) => a.name === selected);
  return (
    <>
      <h1>Actions</h1>
      <ErrorNote error={catalogue.error} />
      {catalogue.data ? null : catalogue.error ? null : <Loading />}
      {runId ? <RunDetail key={runId} id={runId} onChanged={() => setGeneration((g) => g + 1)} /> : null}
      {action && can('analyst') ? (
        <ActionRunForm
          key={action.name}
          action={action}
          onStarted={(run) => {
            setGeneration((g) => g + 1);
            navigate(`/actions?run=${encodeURIComponent(run.id)}`);
          }}
        />
      ) : null}
      <RunList key={`queue-${generation}`} title="Waiting for approval" status="pending_approval" />
      <RunList key={`history-${generation}`} title="Run history" />
      <Catalogue items={items} selected={selected} />
    </>
  );
}
