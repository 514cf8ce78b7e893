/**
 * The CLI's stored connection: server URL, the pinned CA certificate and its fingerprint, and
 * the API token. Kept in one JSON file readable by its owner only, because the token is a
 * credential.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
// The entry without TypeBox: `vigil agent run` loads this module and runs for weeks (ADR 0006).
import { VigilError } from '@vigil/protocol/agent-runtime';

/** What `vigil login` stores. */
export interface StoredSettings {
  server: string;
  ca_pem: string;
  ca_fingerprint: string;
  token: string;
  token_id: string;
  email: string;
  saved_at: string;
}

/** The settings file's name inside the config directory. */
export const SETTINGS_FILE = 'config.json';

/** The config directory: $VIGIL_CONFIG_DIR, else $XDG_CONFIG_HOME/vigil, else ~/.config/vigil. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.VIGIL_CONFIG_DIR) return env.VIGIL_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'vigil');
  return join(env.HOME || homedir(), '.config', 'vigil');
}

function isSettings(value: unknown): value is StoredSettings {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return ['server', 'ca_pem', 'ca_fingerprint', 'token'].every((k) => typeof v[k] === 'string');
}

/** The stored settings, or null when nobody has logged in; a damaged file is an E_CONFIG error. */
export function readSettings(dir: string): StoredSettings | null {
  const file = join(dir, SETTINGS_FILE);
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `${file} is not valid JSON (${(error as Error).message}); run vigil login again`,
    );
  }
  if (!isSettings(parsed))
    throw new VigilError('E_CONFIG', `${file} is missing fields; run vigil login again`);
  return parsed;
}

/** Write the settings atomically: directory 0700, file 0600, never readable by others even briefly. */
export function writeSettings(dir: string, settings: StoredSettings): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, SETTINGS_FILE);
  const temp = join(dir, `.${SETTINGS_FILE}.${process.pid}.tmp`);
  writeFileSync(temp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600, flag: 'w' });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

/** Remove the stored settings; returns whether there were any. */
export function removeSettings(dir: string): boolean {
  const file = join(dir, SETTINGS_FILE);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}
