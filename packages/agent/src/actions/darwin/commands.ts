/**
 * macOS command construction for the declared macOS actions: argument arrays for kill/pkill,
 * pwpolicy, dscacheutil, arp, shutdown, socketfilterfw, spctl and fdesetup, by absolute path.
 * Unit-tested for their exact argv; not yet run on a real Mac (the catalogue says so). The file
 * actions are plain Node file operations and need no builder.
 */
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { CommandBuilder, CommandStep } from '../command-step.js';

const step = (program: string, ...args: string[]): CommandStep => ({ program, args });

/** Where fdesetup writes the personal recovery key for escrow (root only). */
export const FILEVAULT_RECOVERY_PLIST = '/var/db/vigil-agent/filevault-recovery.plist';

/** A glob (`*`, `?`) as an anchored extended regular expression for pkill. */
export function globToEre(glob: string): string {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return `^${re}$`;
}

/** kill by pid, pkill by name (the process name) or executable path (the start of its command line). */
export const processKill: CommandBuilder = (p) => {
  const signal = String(p.signal ?? 'KILL');
  if (typeof p.pid === 'number') {
    if (p.pid <= 1)
      throw new VigilError('E_ACTION_REFUSED', 'refusing to signal launchd (pid 1) or the kernel');
    return [step('/bin/kill', '-s', signal, String(p.pid))];
  }
  if (typeof p.name === 'string') return [step('/usr/bin/pkill', `-${signal}`, '--', globToEre(p.name))];
  if (typeof p.exe === 'string')
    return [step('/usr/bin/pkill', `-${signal}`, '-f', '--', `${globToEre(p.exe).slice(0, -1)}( |$)`)];
  throw new VigilError('E_ACTION_UNSUPPORTED', 'on macOS, processes cannot be matched by hash yet');
};

function power(flag: '-r' | '-h'): CommandBuilder {
  return (p) => {
    const delay = Number(p.delay_min ?? 1);
    return [step('/sbin/shutdown', flag, delay === 0 ? 'now' : `+${delay}`, String(p.message))];
  };
}

const SOCKETFILTERFW = '/usr/libexec/ApplicationFirewall/socketfilterfw';

/** Every macOS builder, by action name. */
export const darwinCommands: Record<string, CommandBuilder> = {
  'process.kill': processKill,
  'user.lock': (p) => [step('/usr/bin/pwpolicy', '-u', String(p.username), '-disableuser')],
  'user.unlock': (p) => [step('/usr/bin/pwpolicy', '-u', String(p.username), '-enableuser')],
  'cache.flush_dns': () => [
    step('/usr/bin/dscacheutil', '-flushcache'),
    step('/usr/bin/killall', '-HUP', 'mDNSResponder'),
  ],
  'cache.flush_arp': (p) => {
    if (typeof p.interface === 'string')
      throw new VigilError(
        'E_ACTION_UNSUPPORTED',
        'macOS arp can only flush every interface at once; leave interface out',
      );
    return [step('/usr/sbin/arp', '-a', '-d')];
  },
  'system.reboot': power('-r'),
  'system.shutdown': power('-h'),
  'firewall.enable': (p) => {
    const ports = [
      ...((p.allow_tcp as number[] | undefined) ?? []),
      ...((p.allow_udp as number[] | undefined) ?? []),
    ];
    if (ports.length > 0)
      throw new VigilError(
        'E_ACTION_UNSUPPORTED',
        'the macOS application firewall filters by application, not by port; leave allow_tcp and allow_udp empty',
      );
    return [step(SOCKETFILTERFW, '--setglobalstate', 'on'), step(SOCKETFILTERFW, '--setstealthmode', 'on')];
  },
  'gatekeeper.enable': () => [step('/usr/sbin/spctl', '--master-enable')],
  'filevault.enable': () => [
    step(
      '/usr/bin/fdesetup',
      'enable',
      '-defer',
      FILEVAULT_RECOVERY_PLIST,
      '-forceatlogin',
      '0',
      '-dontaskatlogout',
    ),
  ],
};
