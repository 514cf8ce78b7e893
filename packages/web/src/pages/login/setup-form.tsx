/** Create the first admin (only while the server has no user at all). */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import { useAction } from '../../app/use-action.js';
import { ErrorNote } from '../../components/notice.js';

export function SetupForm({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const setup = useAction((body: { email: string; password: string }) => api('POST', '/api/v1/setup', body));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await setup.run({ email, password })) onDone();
  };
  return (
    <form onSubmit={submit} aria-label="Create the first admin">
      <p>This server has no user yet. Create the first admin, then log in.</p>
      <label>
        Admin e-mail
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password (at least 12 characters)
        <input
          type="password"
          minLength={12}
          required
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <button type="submit" disabled={setup.pending}>
        Create admin
      </button>
      <ErrorNote error={setup.error} />
    </form>
  );
}
