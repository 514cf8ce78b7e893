/** Host facts the agent reports: hostname, machine id, OS, kernel, architecture, version. */
import { readFileSync } from 'node:fs';
import { arch, hostname, release } from 'node:os';
import type { HostFactsT } from '@vigil/protocol';

/** The agent's version. */
export const AGENT_VERSION = '0.1.0';

function osRelease(): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
    }
    return out;
  } catch {
    return {};
  }
}

/** The machine id (/etc/machine-id); VIGIL_AGENT_MACHINE_ID overrides it (tests of cloned state dirs). */
export function machineId(): string {
  if (process.env.VIGIL_AGENT_MACHINE_ID) return process.env.VIGIL_AGENT_MACHINE_ID;
  try {
    return readFileSync('/etc/machine-id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** Facts of this host; `extra` carries the fingerprint for rule-set selection. */
export function hostFacts(extra: Record<string, unknown> = {}): HostFactsT {
  const os = osRelease();
  return {
    hostname: process.env.VIGIL_AGENT_HOSTNAME ?? hostname(),
    machine_id: machineId(),
    os: {
      platform: 'linux',
      name: (os.NAME ?? 'Linux').slice(0, 128),
      version: (os.VERSION_ID ?? '').slice(0, 64),
      kernel: release().slice(0, 128),
      arch: arch(),
    },
    agent_version: AGENT_VERSION,
    extra,
  };
}

/** The agent clock: real time plus VIGIL_AGENT_CLOCK_OFFSET_MS (tests of clock skew). */
export function agentNow(): number {
  return Date.now() + Number(process.env.VIGIL_AGENT_CLOCK_OFFSET_MS ?? 0);
}
