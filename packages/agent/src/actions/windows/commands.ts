/**
 * Windows command construction for the declared Windows actions: argument arrays for taskkill,
 * sc.exe, net.exe, ipconfig, netsh, shutdown.exe, manage-bde, bcdedit and reg.exe. Unit-tested for
 * their exact argv; not yet run on a real Windows host (the catalogue says so). The file actions
 * are plain Node file operations and need no builder.
 */
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { CommandBuilder, CommandStep } from '../command-step.js';

const step = (program: string, ...args: string[]): CommandStep => ({ program, args });

function unsupported(why: string): never {
  throw new VigilError('E_ACTION_UNSUPPORTED', why);
}

function refuse(why: string): never {
  throw new VigilError('E_ACTION_REFUSED', why);
}

/** taskkill: KILL forces (/F), TERM asks the program to close; /T takes its child processes too. */
export const processKill: CommandBuilder = (p) => {
  const signal = String(p.signal ?? 'KILL');
  if (signal !== 'KILL' && signal !== 'TERM')
    unsupported(`Windows has no ${signal} signal; use KILL or TERM`);
  const force = signal === 'KILL' ? ['/F'] : [];
  if (typeof p.pid === 'number') {
    // 0 is the idle process and 4 is System.
    if (p.pid <= 4) refuse(`refusing to end pid ${p.pid}: it is part of the Windows kernel`);
    return [step('taskkill.exe', '/PID', String(p.pid), '/T', ...force)];
  }
  if (typeof p.name === 'string') {
    const image = /\.[A-Za-z0-9]+$/.test(p.name) || p.name.endsWith('*') ? p.name : `${p.name}.exe`;
    return [step('taskkill.exe', '/IM', image, '/T', ...force)];
  }
  return unsupported('on Windows, processes can be matched by pid or name only (not yet by path or hash)');
};

const serviceName = (p: Record<string, unknown>) => String(p.name);

/** sc.exe verbs; `start=` and its value are separate arguments, as sc.exe requires. */
export const serviceCommands: Record<string, CommandBuilder> = {
  'service.stop': (p) => [step('sc.exe', 'stop', serviceName(p))],
  'service.start': (p) => [step('sc.exe', 'start', serviceName(p))],
  'service.restart': (p) => [step('sc.exe', 'stop', serviceName(p)), step('sc.exe', 'start', serviceName(p))],
  'service.disable': (p) => [
    step('sc.exe', 'config', serviceName(p), 'start=', 'disabled'),
    ...(p.now === false ? [] : [step('sc.exe', 'stop', serviceName(p))]),
  ],
  'service.enable': (p) => [
    step('sc.exe', 'config', serviceName(p), 'start=', 'auto'),
    ...(p.now === false ? [] : [step('sc.exe', 'start', serviceName(p))]),
  ],
};

/** shutdown.exe with a delay in seconds and a comment shown to users. */
function power(flag: '/r' | '/s'): CommandBuilder {
  return (p) => [
    step('shutdown.exe', flag, '/t', String(Number(p.delay_min ?? 1) * 60), '/c', String(p.message)),
  ];
}

/** The firewall on every profile, inbound blocked by default, one allow rule per listed port. */
export const firewallEnable: CommandBuilder = (p) => {
  const rules = (protocol: 'TCP' | 'UDP', ports: unknown) =>
    ((ports as number[] | undefined) ?? []).map((port) =>
      step(
        'netsh.exe',
        'advfirewall',
        'firewall',
        'add',
        'rule',
        `name=Vigil-allow-${protocol}-${port}`,
        'dir=in',
        'action=allow',
        `protocol=${protocol}`,
        `localport=${port}`,
      ),
    );
  return [
    step('netsh.exe', 'advfirewall', 'set', 'allprofiles', 'state', 'on'),
    step('netsh.exe', 'advfirewall', 'set', 'allprofiles', 'firewallpolicy', 'blockinbound,allowoutbound'),
    ...rules('TCP', p.allow_tcp),
    ...rules('UDP', p.allow_udp),
  ];
};

/** BitLocker: protectors first (TPM, recovery password), then encryption. */
export const bitlockerEnable: CommandBuilder = (p) => {
  const drive = String(p.drive ?? 'C:').toUpperCase();
  return [
    ...(p.tpm === false ? [] : [step('manage-bde.exe', '-protectors', '-add', drive, '-TPM')]),
    step('manage-bde.exe', '-protectors', '-add', drive, '-RecoveryPassword'),
    step('manage-bde.exe', '-on', drive, ...(p.used_space_only === false ? [] : ['-UsedSpaceOnly'])),
  ];
};

/** Keys whose removal would break Windows itself; deleting values below them is still allowed. */
const CRITICAL_KEYS = [
  'HKLM\\SOFTWARE\\Microsoft',
  'HKLM\\SOFTWARE\\Classes',
  'HKLM\\SOFTWARE\\Policies',
  'HKLM\\SOFTWARE\\WOW6432Node',
  'HKLM\\SYSTEM\\CurrentControlSet',
  'HKLM\\SYSTEM\\ControlSet001',
  'HKLM\\SYSTEM\\Setup',
  'HKCU\\Software\\Microsoft',
  'HKCU\\Software\\Classes',
  'HKCU\\Software\\Policies',
];

/** reg.exe delete in the 64-bit view; refuses hive roots, top-level keys and the keys Windows needs. */
export const registryDeleteKey: CommandBuilder = (p) => {
  const key = String(p.key).replace(/\\+$/, '');
  const parts = key.split('\\');
  if (parts.some((part) => part === '')) refuse(`${key} has an empty path component`);
  if (parts.length < 3) refuse(`refusing to delete ${key}: name a key at least two levels below the hive`);
  const value = typeof p.value === 'string' ? p.value : undefined;
  if (value === undefined && CRITICAL_KEYS.some((c) => c.toLowerCase() === key.toLowerCase()))
    refuse(`refusing to delete ${key}: Windows cannot run without it`);
  return [step('reg.exe', 'delete', key, ...(value === undefined ? [] : ['/v', value]), '/f', '/reg:64')];
};

/** Every Windows builder, by action name. */
export const windowsCommands: Record<string, CommandBuilder> = {
  'process.kill': processKill,
  ...serviceCommands,
  'user.lock': (p) => [step('net.exe', 'user', String(p.username), '/active:no')],
  'user.unlock': (p) => [step('net.exe', 'user', String(p.username), '/active:yes')],
  'cache.flush_dns': () => [step('ipconfig.exe', '/flushdns')],
  'cache.flush_arp': (p) =>
    typeof p.interface === 'string'
      ? [step('netsh.exe', 'interface', 'ip', 'delete', 'arpcache', `name=${p.interface}`)]
      : [step('netsh.exe', 'interface', 'ip', 'delete', 'arpcache')],
  'system.reboot': power('/r'),
  'system.shutdown': power('/s'),
  'firewall.enable': firewallEnable,
  'bitlocker.enable': bitlockerEnable,
  'dep.enable': (p) => [step('bcdedit.exe', '/set', '{current}', 'nx', String(p.policy ?? 'OptOut'))],
  'registry.delete_key': registryDeleteKey,
};
