/**
 * Who is logged in: loads /api/v1/me on start, offers login and logout, and drops back to the
 * login page whenever the API says the session is gone. Components ask `useSession().can(role)`
 * to decide whether to show a button; the API enforces the same roles regardless.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onUnauthenticated } from '../api/client.js';
import { setCsrfToken } from '../api/csrf.js';
import type { Me, SessionInfo, UserRole } from '../api/types.js';

const RANK: Record<UserRole, number> = { viewer: 1, analyst: 2, admin: 3 };

/** The session as components see it. */
export interface Session {
  me: Me;
  role: UserRole;
  /** Whether the user's role is at least `role`. */
  can(role: UserRole): boolean;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** The current session; only valid below <SessionGate>. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a logged-in session');
  return s;
}

type State = { kind: 'loading' } | { kind: 'anonymous' } | { kind: 'in'; me: Me };

/** Render `children` for a logged-in user, `login(onLogin)` otherwise. */
export function SessionGate({
  children,
  login,
}: {
  children: ReactNode;
  login: (onLogin: (s: SessionInfo) => void) => ReactNode;
}) {
  const [state, setState] = useState<State>({ kind: 'loading' });

  useEffect(() => {
    let live = true;
    api<Me>('GET', '/api/v1/me').then(
      (me) => live && setState({ kind: 'in', me }),
      () => live && setState({ kind: 'anonymous' }),
    );
    const off = onUnauthenticated(() => {
      setCsrfToken(null);
      setState({ kind: 'anonymous' });
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  const onLogin = useCallback((s: SessionInfo) => {
    setCsrfToken(s.csrf_token);
    setState({ kind: 'in', me: { user: s.user, account: s.account } });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('DELETE', '/api/v1/sessions');
    } finally {
      setCsrfToken(null);
      setState({ kind: 'anonymous' });
    }
  }, []);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'in') return null;
    const role = state.me.user.role;
    return { me: state.me, role, can: (r) => RANK[role] >= RANK[r], logout };
  }, [state, logout]);

  if (state.kind === 'loading')
    return (
      <p className="boot" aria-live="polite">
        Loading…
      </p>
    );
  if (!session) return <>{login(onLogin)}</>;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
