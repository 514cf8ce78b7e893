/**
 * API tokens for scripts and the CLI. Anyone may create one for themselves (up to their own role);
 * listing and revoking the account's tokens is for admins. The secret is shown once, never stored.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { ApiTokenT, Items, UserRole } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { CopyButton } from '../../components/copy-button.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { Time } from '../../components/time.js';

const ROLES: UserRole[] = ['viewer', 'analyst', 'admin'];

function NewTokenForm({ onCreated }: { onCreated: () => void }) {
  const { can } = useSession();
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [days, setDays] = useState('90');
  const create = useAction((body: { name: string; role: UserRole; expires_in_days?: number }) =>
    api<{ token: ApiTokenT; secret: string }>('POST', '/api/v1/api-tokens', body),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create.run({ name, role, ...(days ? { expires_in_days: Number(days) } : {}) });
    if (r) onCreated();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create an API token">
      <label>
        Name
        <input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
          {ROLES.filter((r) => can(r)).map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Expires in days (empty: never)
        <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
      </label>
      <button type="submit" disabled={create.pending}>
        Create token
      </button>
      <ErrorNote error={create.error} />
      {create.result ? (
        <div className="secret" role="status">
          <p>
            Token <strong>{create.result.token.name}</strong> created. Copy the secret now; it is not shown
            again:
          </p>
          <code data-testid="api-token-secret">{create.result.secret}</code>{' '}
          <CopyButton text={create.result.secret} />
        </div>
      ) : null}
    </form>
  );
}

function TokenList() {
  const tokens = useApi<Items<ApiTokenT>>('/api/v1/api-tokens');
  const revoke = useAction((id: string) => api<ApiTokenT>('DELETE', `/api/v1/api-tokens/${id}`));
  return (
    <>
      <ErrorNote error={tokens.error ?? revoke.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data?.items ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.role}</td>
              <td>
                <Time iso={t.created_at} />
              </td>
              <td>
                <Time iso={t.last_used_at} />
              </td>
              <td>{t.expires_at ? <Time iso={t.expires_at} /> : 'never'}</td>
              <td>
                {t.revoked ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    onClick={async () => {
                      if (await revoke.run(t.id)) tokens.reload();
                    }}
                  >
                    Revoke {t.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function ApiTokensPanel({ onChange }: { onChange?: () => void }) {
  const { can } = useSession();
  const [generation, setGeneration] = useState(0);
  return (
    <Panel title="API tokens">
      {can('admin') ? (
        <TokenList key={generation} />
      ) : (
        <p className="muted">Admins see every token of the account.</p>
      )}
      <NewTokenForm
        onCreated={() => {
          setGeneration((g) => g + 1);
          onChange?.();
        }}
      />
    </Panel>
  );
}
