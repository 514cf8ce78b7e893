/**
 * The device's installed software, read live from the device (deb_packages or rpm_packages) when
 * asked: the server keeps no package inventory, so this is a live query like any other (analysts
 * and admins; audited). The list is searchable and renders only the rows in view.
 */
import { useState } from 'react';
import type { DeviceT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { SpacerRow, useVirtualRows } from '../../components/virtual-rows.js';
import { useCampaign } from '../queries/use-campaign.js';
import { filterPackages, softwareQuery } from './software-query.js';

function PackageTable({ rows }: { rows: unknown[][] }) {
  const view = useVirtualRows(rows.length);
  const { start, end, padTop, padBottom } = view.range;
  return (
    <div className="virtual-scroll" ref={view.ref} onScroll={view.onScroll}>
      <table className="compact virtual" aria-label="Installed packages" aria-rowcount={rows.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th scope="col">Package</th>
            <th scope="col">Version</th>
            <th scope="col">Architecture</th>
          </tr>
        </thead>
        <tbody>
          <SpacerRow height={padTop} columns={3} />
          {rows.slice(start, end).map((r, i) => (
            <tr key={`${String(r[0])}:${String(r[1])}:${String(r[2])}`} aria-rowindex={start + i + 2}>
              <td>{String(r[0] ?? '')}</td>
              <td>{String(r[1] ?? '')}</td>
              <td>{String(r[2] ?? '')}</td>
            </tr>
          ))}
          <SpacerRow height={padBottom} columns={3} />
        </tbody>
      </table>
    </div>
  );
}

export function DeviceSoftware({ device }: { device: DeviceT }) {
  const { can } = useSession();
  const campaign = useCampaign();
  const [search, setSearch] = useState('');
  const state = campaign.state;
  const block = state?.blocks.find((b) => b.device_id === device.id);
  const progress = state?.devices[device.id];
  const rows = block ? filterPackages(block.rows, search) : [];
  const load = () =>
    void campaign.start({
      sql: softwareQuery(device.os.name),
      targets: { devices: [device.id] },
      timeout_s: 60,
    });
  return (
    <Panel
      title="Installed software"
      actions={
        can('analyst') ? (
          <button
            type="button"
            className="secondary"
            onClick={load}
            disabled={campaign.starting || device.status !== 'online'}
          >
            {block ? 'Reload' : 'Load installed software'}
          </button>
        ) : null
      }
    >
      {!can('analyst') ? (
        <p className="muted">
          Installed software is read live from the device, which needs the analyst role.
        </p>
      ) : device.status !== 'online' ? (
        <p className="muted">Installed software is read live from the device; it is {device.status} now.</p>
      ) : !state ? (
        <p className="muted">Read the installed packages from the device now (a live query).</p>
      ) : null}
      <ErrorNote error={campaign.error} />
      {state && !block && !state.summary ? <p className="muted">Asking the device…</p> : null}
      {progress?.error ? <p className="bad-text">{progress.error}</p> : null}
      {state?.summary && !block && !progress?.error ? (
        <p className="muted">The device did not answer ({progress?.status ?? 'no answer'}).</p>
      ) : null}
      {block ? (
        <>
          <label>
            Search packages{' '}
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={128} />
          </label>
          <p className="muted small" data-testid="software-count">
            {rows.length === block.rows.length
              ? `${block.rows.length} packages`
              : `${rows.length} of ${block.rows.length} packages`}
          </p>
          {rows.length > 0 ? <PackageTable rows={rows} /> : null}
        </>
      ) : null}
    </Panel>
  );
}
