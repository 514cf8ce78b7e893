/**
 * Choose what a query (or an action) targets: every device, some groups, a filter expression, or
 * picked devices. A `?devices=ID,ID…` in the URL (the devices page's selection) starts it on those.
 */
import { useEffect, useState } from 'react';
import { api, qs } from '../../api/client.js';
import type { DeviceT, GroupT, Page, TargetsT } from '../../api/types.js';
import { useLocation } from '../../app/router.js';
import { useApi } from '../../app/use-api.js';
import { FilterPreview } from '../groups/filter-preview.js';
import { presetDeviceIds } from './preset-devices.js';

/** A picked device: its id is the target; the hostname is for display (the id until loaded). */
type Picked = Pick<DeviceT, 'id' | 'hostname'>;

type Mode = 'all' | 'groups' | 'filter' | 'devices';

function DevicePicker({ picked, onChange }: { picked: Picked[]; onChange: (d: Picked[]) => void }) {
  const [q, setQ] = useState('');
  const found = useApi<Page<DeviceT>>(q ? `/api/v1/devices${qs({ q, limit: 10 })}` : null);
  return (
    <div>
      <label>
        Find a device by hostname
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={128} />
      </label>
      <ul className="picks">
        {(found.data?.items ?? [])
          .filter((d) => !picked.some((p) => p.id === d.id))
          .map((d) => (
            <li key={d.id}>
              <button type="button" onClick={() => onChange([...picked, d])}>
                Add {d.hostname}
              </button>
            </li>
          ))}
      </ul>
      <p>
        Picked:{' '}
        {picked.length === 0
          ? 'none'
          : picked.map((d) => (
              <button
                type="button"
                key={d.id}
                className="chip"
                aria-label={`Remove ${d.hostname}`}
                onClick={() => onChange(picked.filter((p) => p.id !== d.id))}
              >
                {d.hostname} ×
              </button>
            ))}
      </p>
    </div>
  );
}

/** The picker; reports the targets it stands for (null while incomplete). */
export function TargetPicker({ onChange }: { onChange: (t: TargetsT | null) => void }) {
  const preset = presetDeviceIds(useLocation().search);
  const [mode, setMode] = useState<Mode>(preset.length ? 'devices' : 'all');
  const [groups, setGroups] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const [devices, setDevices] = useState<Picked[]>(() => preset.map((id) => ({ id, hostname: id })));
  const list = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const presetKey = preset.join(',');

  // The parent starts on "all devices": tell it the preset at once, then show hostnames.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per preset (presetKey).
  useEffect(() => {
    if (!presetKey) return;
    const ids = presetKey.split(',');
    onChange({ devices: ids });
    let live = true;
    void Promise.all(
      ids.map((id) =>
        api<DeviceT>('GET', `/api/v1/devices/${encodeURIComponent(id)}`).then(
          (d) => ({ id: d.id, hostname: d.hostname }),
          () => ({ id, hostname: `${id} (not found)` }),
        ),
      ),
    ).then((named) => {
      if (live) setDevices((now) => (now.map((d) => d.id).join(',') === presetKey ? named : now));
    });
    return () => {
      live = false;
    };
  }, [presetKey]);

  const emit = (m: Mode, g: string[], f: string, d: Picked[]) => {
    if (m === 'all') onChange({ all: true });
    else if (m === 'groups') onChange(g.length ? { groups: g } : null);
    else if (m === 'filter') onChange(f.trim() ? { filter: f.trim() } : null);
    else onChange(d.length ? { devices: d.map((x) => x.id) } : null);
  };
  const update = (p: { m?: Mode; g?: string[]; f?: string; d?: Picked[] }) => {
    const m = p.m ?? mode;
    const g = p.g ?? groups;
    const f = p.f ?? filter;
    const d = p.d ?? devices;
    setMode(m);
    setGroups(g);
    setFilter(f);
    setDevices(d);
    emit(m, g, f, d);
  };

  return (
    <fieldset className="targets">
      <legend>Targets</legend>
      {(['all', 'groups', 'filter', 'devices'] as Mode[]).map((m) => (
        <label key={m} className="radio">
          <input type="radio" name="target-mode" checked={mode === m} onChange={() => update({ m })} />
          {m === 'all'
            ? 'All devices'
            : m === 'groups'
              ? 'Groups'
              : m === 'filter'
                ? 'Filter expression'
                : 'Devices'}
        </label>
      ))}
      {mode === 'groups' ? (
        <div className="checks">
          {(list.data?.items ?? []).length === 0 ? <p className="muted">No groups yet.</p> : null}
          {(list.data?.items ?? []).map((g) => (
            <label key={g.id} className="radio">
              <input
                type="checkbox"
                checked={groups.includes(g.name)}
                onChange={(e) =>
                  update({ g: e.target.checked ? [...groups, g.name] : groups.filter((x) => x !== g.name) })
                }
              />
              {g.name} ({g.member_count})
            </label>
          ))}
        </div>
      ) : null}
      {mode === 'filter' ? (
        <>
          <label>
            Device filter, e.g. <code>os.platform = 'linux' AND tags CONTAINS 'prod'</code>
            <input value={filter} onChange={(e) => update({ f: e.target.value })} maxLength={2048} />
          </label>
          <FilterPreview rule={filter} />
        </>
      ) : null}
      {mode === 'devices' ? <DevicePicker picked={devices} onChange={(d) => update({ d })} /> : null}
    </fieldset>
  );
}
