/**
 * Parsing authentication log lines (syslog's classic and RFC 3339 prefixes, as rsyslog writes
 * /var/log/auth.log and /var/log/secure) into the events the auth rules match: failed and
 * accepted SSH logins, sudo failures, new users and groups, password changes.
 */

/** One parsed line: the event type and the fields the rules read. */
export interface AuthEvent {
  type:
    | 'ssh_failed'
    | 'ssh_invalid_user'
    | 'ssh_accepted'
    | 'sudo_failed'
    | 'user_added'
    | 'group_added'
    | 'user_deleted'
    | 'password_changed';
  program: string;
  host: string;
  user?: string;
  group?: string;
  source_ip?: string;
  source_port?: number;
  method?: string;
  reason?: string;
  uid?: number;
  command?: string;
}

const PREFIX =
  /^(?:\d{4}-\d\d-\d\dT\S+|[A-Z][a-z]{2}\s+\d{1,2}\s+\d\d:\d\d:\d\d)\s+(\S+)\s+([^\s:[]+)(?:\[\d+\])?:\s+(.*)$/;
const IP = '([0-9A-Fa-f:.]+)';

/** The event a line reports, or null for lines no rule needs. */
export function parseAuthLine(line: string): AuthEvent | null {
  const m = PREFIX.exec(line);
  if (!m) return null;
  const host = m[1] as string;
  const program = m[2] as string;
  const msg = m[3] as string;
  const base = { program, host };
  if (program === 'sshd' || program.startsWith('sshd-')) {
    let s = new RegExp(`^Failed (\\S+) for (invalid user )?(\\S*) from ${IP} port (\\d+)`).exec(msg);
    if (s)
      return {
        ...base,
        type: 'ssh_failed',
        method: s[1] as string,
        user: s[3] as string,
        source_ip: s[4] as string,
        source_port: Number(s[5]),
        ...(s[2] ? { reason: 'invalid user' } : {}),
      };
    s = new RegExp(`^Invalid user (\\S*) from ${IP}(?: port (\\d+))?`).exec(msg);
    if (s)
      return {
        ...base,
        type: 'ssh_invalid_user',
        user: s[1] as string,
        source_ip: s[2] as string,
        ...(s[3] ? { source_port: Number(s[3]) } : {}),
      };
    s = new RegExp(`^Accepted (\\S+) for (\\S+) from ${IP} port (\\d+)`).exec(msg);
    if (s)
      return {
        ...base,
        type: 'ssh_accepted',
        method: s[1] as string,
        user: s[2] as string,
        source_ip: s[3] as string,
        source_port: Number(s[4]),
      };
    return null;
  }
  if (program === 'sudo') {
    let s = /^\s*(\S+) : (?:(\d+) incorrect password attempts?|user NOT in sudoers)\s*;.*COMMAND=(.*)$/.exec(
      msg,
    );
    if (s)
      return {
        ...base,
        type: 'sudo_failed',
        user: s[1] as string,
        reason: s[2] ? `${s[2]} incorrect password attempt(s)` : 'user not in sudoers',
        command: (s[3] as string).trim(),
      };
    s = /^pam_unix\(sudo:auth\): authentication failure;.*\bruser=(\S*)/.exec(msg);
    if (s?.[1]) return { ...base, type: 'sudo_failed', user: s[1], reason: 'authentication failure' };
    return null;
  }
  let s = /^new user: name=([^,\s]+), UID=(\d+)/.exec(msg);
  if (s) return { ...base, type: 'user_added', user: s[1] as string, uid: Number(s[2]) };
  s = /^new group: name=([^,\s]+)/.exec(msg);
  if (s) return { ...base, type: 'group_added', group: s[1] as string };
  s = /^delete user '([^']+)'/.exec(msg);
  if (s) return { ...base, type: 'user_deleted', user: s[1] as string };
  s = /^pam_unix\(\S+:chauthtok\): password changed for (\S+)/.exec(msg);
  if (s) return { ...base, type: 'password_changed', user: s[1] as string };
  return null;
}
