/** Create a group: static (members added by hand) or dynamic (a rule, previewed live as you type). */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { GroupT } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { FilterPreview } from './filter-preview.js';

export function GroupForm({ onCreated }: { onCreated: (g: GroupT) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<'static' | 'dynamic'>('dynamic');
  const [rule, setRule] = useState('');
  const create = useAction((body: Record<string, unknown>) => api<GroupT>('POST', '/api/v1/groups', body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const g = await create.run({
      name,
      kind,
      ...(description ? { description } : {}),
      ...(kind === 'dynamic' ? { rule } : {}),
    });
    if (g) {
      setName('');
      setDescription('');
      setRule('');
      onCreated(g);
    }
  };
  return (
    <Panel title="New group">
      <form onSubmit={submit} aria-label="Create a group">
        <label>
          Name
          <input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Description
          <input maxLength={1024} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <fieldset>
          <legend>Kind</legend>
          <label className="radio">
            <input
              type="radio"
              name="kind"
              checked={kind === 'dynamic'}
              onChange={() => setKind('dynamic')}
            />
            Dynamic: members are the devices a rule matches, kept up to date
          </label>
          <label className="radio">
            <input type="radio" name="kind" checked={kind === 'static'} onChange={() => setKind('static')} />
            Static: you add and remove members (select devices on the Devices page)
          </label>
        </fieldset>
        {kind === 'dynamic' ? (
          <>
            <label>
              Rule (device filter), e.g. <code>os.platform = 'linux' AND tags CONTAINS 'prod'</code>
              <input required maxLength={2048} value={rule} onChange={(e) => setRule(e.target.value)} />
            </label>
            <FilterPreview rule={rule} />
          </>
        ) : null}
        <button type="submit" disabled={create.pending}>
          Create group
        </button>
        <ErrorNote error={create.error} />
      </form>
    </Panel>
  );
}
