/**
 * The session's CSRF token. The session cookie itself is httpOnly and never visible to scripts;
 * the CSRF token is not a credential (useless without the cookie), and the server hands it out
 * only at login, so it is kept in sessionStorage: it survives a reload of this tab and is gone
 * when the tab closes. Nothing goes to localStorage.
 */
const KEY = 'vigil.csrf';

/** The current CSRF token, or null when this tab has none (log in again to get one). */
export function csrfToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

/** Remember (or, with null, forget) the CSRF token for this tab. */
export function setCsrfToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: changes will ask the user to log in again.
  }
}
