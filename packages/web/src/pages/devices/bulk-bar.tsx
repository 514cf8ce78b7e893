/**
 * What to do with the selected devices: query them or run a response action on them (the live
 * query and actions pages open with them as targets), add or remove a tag (analysts; one request
 * per device, the API has no bulk tag call) or add them to a static group (admins; one request).
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { GroupT, Page } from '../../api/types.js';
import { Link } from '../../app/router.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { MAX_PRESET, withPresetDevices } from '../queries/preset-devices.js';

export function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const { can } = useSession();
  const [tag, setTag] = useState('');
  const [group, setGroup] = useState('');
  const groups = useApi<Page<GroupT>>(can('admin') ? '/api/v1/groups?limit=500' : null);
  const tagging = useAction(async (method: 'POST' | 'DELETE', t: string) => {
    for (const id of ids) await api(method, `/api/v1/devices/${id}/tags`, { tags: [t] });
    return ids.length;
  });
  const grouping = useAction((g: string) => api('POST', `/api/v1/groups/${g}/members`, { devices: ids }));
  const onTag = (method: 'POST' | 'DELETE') => async (e: FormEvent) => {
    e.preventDefault();
    if (await tagging.run(method, tag)) onDone();
  };
  const statics = (groups.data?.items ?? []).filter((g) => g.kind === 'static');
  return (
    <section className="bulk" aria-label="Selected devices">
      <p>
        <strong>{ids.length}</strong> selected
      </p>
      {can('analyst') ? (
        ids.length <= MAX_PRESET ? (
          <p className="row-buttons">
            <Link className="button" to={withPresetDevices('/queries', ids)}>
              Query these devices
            </Link>
            <Link className="button" to={withPresetDevices('/actions', ids)}>
              Run an action on these devices
            </Link>
          </p>
        ) : (
          <p className="muted">
            To query or act on more than {MAX_PRESET} devices, put them in a group or target a filter.
          </p>
        )
      ) : null}
      <form className="inline-form" onSubmit={onTag('POST')} aria-label="Tag the selected devices">
        <label>
          Tag
          <input
            required
            value={tag}
            onChange={(e) => setTag(e.target.value)}
            pattern="[a-z0-9][a-z0-9._:\-]*"
            maxLength={63}
          />
        </label>
        <button type="submit" disabled={tagging.pending}>
          Add tag
        </button>
        <button type="button" disabled={tagging.pending || !tag} onClick={onTag('DELETE')}>
          Remove tag
        </button>
      </form>
      {can('admin') ? (
        <form
          className="inline-form"
          aria-label="Add the selected devices to a static group"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await grouping.run(group)) onDone();
          }}
        >
          <label>
            Static group
            <select required value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">choose…</option>
              {statics.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={grouping.pending}>
            Add to group
          </button>
        </form>
      ) : null}
      <ErrorNote error={tagging.error ?? grouping.error} />
    </section>
  );
}
