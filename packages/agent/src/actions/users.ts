/**
 * Looking users up in the system's users database (NSS through `getent`, so LDAP and SSSD
 * accounts resolve too; /etc/passwd when getent is missing). Used to run programs as a user and
 * by the user actions.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { findProgram } from '../tables/collectors/command-runner.js';

const execFileAsync = promisify(execFile);

/** A login name as the user actions accept it (no leading dash or digit, so never an option or a uid). */
export const USERNAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

/** One passwd entry. */
export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Parse one `name:x:uid:gid:gecos:home:shell` line, or null when it is not one. */
export function parsePasswdLine(line: string): UserEntry | null {
  const f = line.split(':');
  if (f.length < 7) return null;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || f[2] === '' || f[3] === '') return null;
  return { name: f[0] as string, uid, gid, home: f[5] as string, shell: f[6] as string };
}

/** The user's entry, or null when there is no such user. Throws on a name that is not a login name. */
export async function lookupUser(name: string): Promise<UserEntry | null> {
  if (!USERNAME_PATTERN.test(name) || name.length > 32) throw new Error(`'${name}' is not a valid user name`);
  const getent = findProgram('getent');
  if (getent) {
    try {
      const { stdout } = await execFileAsync(getent, ['passwd', name], {
        env: { LC_ALL: 'C' },
        timeout: 10_000,
      });
      const entry = parsePasswdLine(stdout.split('\n')[0] ?? '');
      return entry && entry.name === name ? entry : null;
    } catch (error) {
      // getent exits 2 when the key is not found.
      if ((error as { code?: unknown }).code === 2) return null;
      throw error;
    }
  }
  const text = await readFile('/etc/passwd', 'utf8');
  for (const line of text.split('\n')) {
    const entry = parsePasswdLine(line);
    if (entry?.name === name) return entry;
  }
  return null;
}
