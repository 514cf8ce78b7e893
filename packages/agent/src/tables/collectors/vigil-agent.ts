import { readFileSync } from 'node:fs';
import type { TableCollector } from '../types.js';

/** What the `vigil_agent` table reports about the running agent. */
export interface AgentInfo {
  id: string;
  version: string;
  mode: string;
  outbox_depth: number;
  uptime: number;
}

/** Supplies the agent's current facts; fields it leaves out take their defaults. */
export type AgentInfoProvider = () => Partial<AgentInfo>;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '';
  } catch {
    return '';
  }
}

/** The facts an agent reports before anything richer is wired in: no id yet, local mode, empty outbox. */
export function defaultAgentInfo(): AgentInfo {
  return {
    id: '',
    version: packageVersion(),
    mode: 'local',
    outbox_depth: 0,
    uptime: Math.floor(process.uptime()),
  };
}

/** Builds the `vigil_agent` collector around a provider (the engine swaps in the one it is given). */
export function createVigilAgentCollector(provider: AgentInfoProvider): TableCollector {
  return {
    name: 'vigil_agent',
    *collect() {
      yield { ...defaultAgentInfo(), ...provider() };
    },
  };
}

/** The `vigil_agent` table with default facts. */
export const vigilAgent: TableCollector = createVigilAgentCollector(() => ({}));
