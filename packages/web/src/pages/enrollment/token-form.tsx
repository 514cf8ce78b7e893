/** Create an enrollment token; show its install line once, with a copy button. */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { CreatedEnrollmentToken, GroupT, Page } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { CopyButton } from '../../components/copy-button.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';

export function TokenForm({ onCreated }: { onCreated: () => void }) {
  const groups = useApi<Page<GroupT>>('/api/v1/groups?limit=500');
  const [group, setGroup] = useState('');
  const [tags, setTags] = useState('');
  const [hours, setHours] = useState('24');
  const [uses, setUses] = useState('');
  const create = useAction((body: Record<string, unknown>) =>
    api<CreatedEnrollmentToken>('POST', '/api/v1/enrollment-tokens', body),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const tagList = tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const r = await create.run({
      ...(group ? { group } : {}),
      ...(tagList.length ? { tags: tagList } : {}),
      expires_in_s: Math.round(Number(hours) * 3600),
      ...(uses ? { uses: Number(uses) } : {}),
    });
    if (r) onCreated();
  };
  const t = create.result;
  return (
    <Panel title="New enrollment token">
      <form onSubmit={submit} aria-label="Create an enrollment token">
        <label>
          Group the devices join
          <select value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">none</option>
            {(groups.data?.items ?? [])
              .filter((g) => g.kind === 'static')
              .map((g) => (
                <option key={g.id} value={g.name}>
                  {g.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Tags (comma-separated)
          <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="prod, web" />
        </label>
        <label>
          Valid for (hours)
          <input
            type="number"
            min={0.02}
            max={8760}
            step="any"
            required
            value={hours}
            onChange={(e) => setHours(e.target.value)}
          />
        </label>
        <label>
          Uses (empty: unlimited)
          <input type="number" min={1} value={uses} onChange={(e) => setUses(e.target.value)} />
        </label>
        <button type="submit" disabled={create.pending}>
          Create token
        </button>
        <ErrorNote error={create.error} />
      </form>
      {t ? (
        <div className="secret" role="status">
          <p>Run this on the device, as root. The token is shown only now.</p>
          <pre className="install-line" data-testid="install-line">
            {t.install_line}
          </pre>
          <CopyButton text={t.install_line} label="Copy install line" />
          <p className="muted small">
            Expires <time dateTime={t.expires_at}>{new Date(t.expires_at).toLocaleString()}</time>
            {t.max_uses ? `, ${t.max_uses} uses` : ', unlimited uses'}. CA <code>{t.ca_fingerprint}</code>
          </p>
        </div>
      ) : null}
    </Panel>
  );
}
