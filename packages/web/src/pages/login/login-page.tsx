/** Log in with e-mail and password; offers first-admin setup while the server has no user. */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { ServerInfo, SessionInfo } from '../../api/types.js';
import { useAction } from '../../app/use-action.js';
import { useApi } from '../../app/use-api.js';
import { ErrorNote } from '../../components/notice.js';
import { SetupForm } from './setup-form.js';

export function LoginPage({ onLogin }: { onLogin: (s: SessionInfo) => void }) {
  const info = useApi<ServerInfo>('/api/v1/server-info');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useAction((body: { email: string; password: string }) =>
    api<SessionInfo>('POST', '/api/v1/sessions', body),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const s = await login.run({ email, password });
    if (s) onLogin(s);
  };
  return (
    <main className="login" id="main">
      <h1>Vigil</h1>
      {info.data?.setup_needed ? (
        <SetupForm onDone={info.reload} />
      ) : (
        <form onSubmit={submit} aria-label="Log in">
          <label>
            E-mail
            <input
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" disabled={login.pending}>
            {login.pending ? 'Logging in…' : 'Log in'}
          </button>
          <ErrorNote error={login.error} />
        </form>
      )}
      {info.data ? (
        <p className="muted small">
          Server {info.data.version} · CA <code>{info.data.ca_fingerprint}</code>
        </p>
      ) : null}
    </main>
  );
}
