/**
 * What the auth monitors do with one line of the authentication log, wherever it comes from (a log
 * file, or the systemd journal): parse it, admit it through the budget, say whether an SSH login
 * came from an address the user had not logged in from before, and hand the event to the sink.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MonitorBudget } from '../budget.js';
import type { EventSink } from '../types.js';
import { type AuthEvent, parseAuthLine } from './parse-auth-line.js';

/** Longest line kept (longer ones are cut). */
export const MAX_LINE = 8192;
/** Users and addresses per user remembered for "login from a new source". */
const MAX_USERS = 1000;
const MAX_SOURCES = 100;

/** Options of the line handler. */
export interface AuthLinesOptions {
  stateDir: string;
  budget: MonitorBudget;
  sink: EventSink;
  log: { warn(obj: object, msg?: string): void };
  /** Where the lines come from, as the alert context names it (a log path, or `journal`). */
  source: string;
}

/** Turns auth log lines into auth events. */
export class AuthLines {
  private sources: Record<string, string[]>;
  private readonly sourcesPath: string;

  constructor(private readonly options: AuthLinesOptions) {
    this.sourcesPath = join(options.stateDir, 'auth-sources.json');
    this.sources = this.loadSources();
  }

  private loadSources(): Record<string, string[]> {
    try {
      return JSON.parse(readFileSync(this.sourcesPath, 'utf8')) as Record<string, string[]>;
    } catch {
      return {};
    }
  }

  /** Handle one line (a syslog line: time, host, program[pid]: message). */
  line(line: string): void {
    if (line.length === 0) return;
    const parsed = parseAuthLine(line);
    if (!parsed || !this.options.budget.admit()) return;
    const fields: Record<string, unknown> = { ...parsed };
    if (parsed.type === 'ssh_accepted' && parsed.user && parsed.source_ip)
      fields.new_source = this.newSource(parsed.user, parsed.source_ip);
    this.options.sink({
      monitor: 'auth',
      at: Date.now(),
      fields,
      summary: summarize(parsed),
      context: {
        auth: { log: this.options.source, line },
        ...(parsed.source_ip ? { peer: { ip: parsed.source_ip, port: parsed.source_port ?? null } } : {}),
      },
    });
  }

  /** Whether a user logs in from an address not seen before (only once the user has a history). */
  private newSource(user: string, ip: string): boolean {
    const known = this.sources[user];
    if (known?.includes(ip)) return false;
    const isNew = known !== undefined && known.length > 0;
    if (!known && Object.keys(this.sources).length >= MAX_USERS) return false;
    this.sources[user] = [...(known ?? []), ip].slice(-MAX_SOURCES);
    try {
      writeFileSync(this.sourcesPath, JSON.stringify(this.sources), { mode: 0o600 });
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'cannot save the known login sources');
    }
    return isNew;
  }
}

function summarize(e: AuthEvent): string {
  switch (e.type) {
    case 'ssh_failed':
    case 'ssh_invalid_user':
    case 'ssh_accepted':
      return `${e.source_ip} (${e.user || '?'})`;
    case 'sudo_failed':
      return `${e.user} (${e.reason})`;
    case 'group_added':
      return e.group ?? '?';
    default:
      return e.user ?? '?';
  }
}
