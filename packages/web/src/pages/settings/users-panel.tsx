/** Console users: list, create, change role, disable or enable (admins only). */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { Items, UserRole, UserT } from '../../api/types.js';
import { useSession } from '../../app/session.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { Panel } from '../../components/panel.js';
import { Time } from '../../components/time.js';

const ROLES: UserRole[] = ['viewer', 'analyst', 'admin'];

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const [password, setPassword] = useState('');
  const create = useAction((body: { email: string; role: UserRole; password: string }) =>
    api<UserT>('POST', '/api/v1/users', body),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await create.run({ email, role, password })) {
      setEmail('');
      setPassword('');
      onCreated();
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create a user">
      <label>
        E-mail
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as UserRole)}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <label>
        Initial password (12+ characters)
        <input
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" disabled={create.pending}>
        Create user
      </button>
      <ErrorNote error={create.error} />
    </form>
  );
}

function UserRow({ user, onChanged }: { user: UserT; onChanged: () => void }) {
  const update = useAction((patch: { role?: UserRole; disabled?: boolean }) =>
    api<UserT>('PATCH', `/api/v1/users/${user.id}`, patch),
  );
  const change = async (patch: { role?: UserRole; disabled?: boolean }) => {
    if (await update.run(patch)) onChanged();
  };
  return (
    <tr>
      <td>{user.email}</td>
      <td>
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role of {user.email}
        </label>
        <select
          id={`role-${user.id}`}
          value={user.role}
          onChange={(e) => void change({ role: e.target.value as UserRole })}
        >
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </td>
      <td>{user.disabled ? 'disabled' : 'active'}</td>
      <td>
        <Time iso={user.created_at} />
      </td>
      <td>
        <button type="button" onClick={() => void change({ disabled: !user.disabled })}>
          {user.disabled ? 'Enable' : 'Disable'}
        </button>
        <ErrorNote error={update.error} />
      </td>
    </tr>
  );
}

export function UsersPanel() {
  const { can } = useSession();
  const users = useApi<Items<UserT>>(can('admin') ? '/api/v1/users' : null);
  if (!can('admin'))
    return (
      <Panel title="Users and roles">
        <p className="muted">Users and roles are managed by admins.</p>
      </Panel>
    );
  return (
    <Panel title="Users and roles">
      <ErrorNote error={users.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="sr-only">Change</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u) => (
            <UserRow key={u.id} user={u} onChanged={users.reload} />
          ))}
        </tbody>
      </table>
      <NewUserForm onCreated={users.reload} />
    </Panel>
  );
}
