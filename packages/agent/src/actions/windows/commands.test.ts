import { describe, expect, it } from 'vitest';
import { loadActions, validateActionParams } from '../load.js';
import { windowsCommands } from './commands.js';

const defs = new Map(loadActions().map((d) => [d.name, d]));
/** Build with the catalogue's validation and defaults, as the runner would. */
const build = (action: string, params: Record<string, unknown>) => {
  const def = defs.get(action);
  if (!def) throw new Error(action);
  const builder = windowsCommands[action];
  if (!builder) throw new Error(`no builder for ${action}`);
  return builder(validateActionParams(def, params)).map((s) => [s.program, ...s.args]);
};

describe('Windows command construction (argv only; not run)', () => {
  it('has a builder for every action the catalogue declares for Windows, except the Node file actions', () => {
    const declared = [...defs.values()]
      .filter((d) => d.platforms.some((p) => p.platform === 'windows'))
      .map((d) => d.name)
      .filter((n) => !n.startsWith('file.'));
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter((n) => !windowsCommands[n])).toEqual([]);
    expect(Object.keys(windowsCommands).filter((n) => !declared.includes(n))).toEqual([]);
  });

  it('process.kill', () => {
    expect(build('process.kill', { pid: 4242 })).toEqual([['taskkill.exe', '/PID', '4242', '/T', '/F']]);
    expect(build('process.kill', { pid: 4242, signal: 'TERM' })).toEqual([
      ['taskkill.exe', '/PID', '4242', '/T'],
    ]);
    expect(build('process.kill', { name: 'xmrig' })).toEqual([
      ['taskkill.exe', '/IM', 'xmrig.exe', '/T', '/F'],
    ]);
    expect(build('process.kill', { name: 'miner*' })).toEqual([
      ['taskkill.exe', '/IM', 'miner*', '/T', '/F'],
    ]);
    expect(() => build('process.kill', { pid: 4 })).toThrow(/Windows kernel/);
    expect(() => build('process.kill', { pid: 9, signal: 'HUP' })).toThrow(/no HUP signal/);
    expect(() => build('process.kill', { sha256: 'a'.repeat(64) })).toThrow(/pid or name only/);
  });

  it('service.*', () => {
    expect(build('service.stop', { name: 'Spooler' })).toEqual([['sc.exe', 'stop', 'Spooler']]);
    expect(build('service.start', { name: 'Spooler' })).toEqual([['sc.exe', 'start', 'Spooler']]);
    expect(build('service.restart', { name: 'Spooler' })).toEqual([
      ['sc.exe', 'stop', 'Spooler'],
      ['sc.exe', 'start', 'Spooler'],
    ]);
    expect(build('service.disable', { name: 'RemoteRegistry' })).toEqual([
      ['sc.exe', 'config', 'RemoteRegistry', 'start=', 'disabled'],
      ['sc.exe', 'stop', 'RemoteRegistry'],
    ]);
    expect(build('service.enable', { name: 'WinDefend', now: false })).toEqual([
      ['sc.exe', 'config', 'WinDefend', 'start=', 'auto'],
    ]);
  });

  it('user, caches and power', () => {
    expect(build('user.lock', { username: 'alice' })).toEqual([['net.exe', 'user', 'alice', '/active:no']]);
    expect(build('user.unlock', { username: 'alice' })).toEqual([
      ['net.exe', 'user', 'alice', '/active:yes'],
    ]);
    expect(build('cache.flush_dns', {})).toEqual([['ipconfig.exe', '/flushdns']]);
    expect(build('cache.flush_arp', {})).toEqual([['netsh.exe', 'interface', 'ip', 'delete', 'arpcache']]);
    expect(build('cache.flush_arp', { interface: 'Ethernet0' })).toEqual([
      ['netsh.exe', 'interface', 'ip', 'delete', 'arpcache', 'name=Ethernet0'],
    ]);
    expect(build('system.reboot', { delay_min: 5, message: 'Patch reboot' })).toEqual([
      ['shutdown.exe', '/r', '/t', '300', '/c', 'Patch reboot'],
    ]);
    expect(build('system.shutdown', { delay_min: 0 })[0]).toEqual([
      'shutdown.exe',
      '/s',
      '/t',
      '0',
      '/c',
      'This device will shutdown for maintenance requested by your security team.',
    ]);
  });

  it('firewall.enable, bitlocker.enable and dep.enable', () => {
    expect(build('firewall.enable', { allow_tcp: [22, 3389], allow_udp: [53] })).toEqual([
      ['netsh.exe', 'advfirewall', 'set', 'allprofiles', 'state', 'on'],
      ['netsh.exe', 'advfirewall', 'set', 'allprofiles', 'firewallpolicy', 'blockinbound,allowoutbound'],
      [
        'netsh.exe',
        'advfirewall',
        'firewall',
        'add',
        'rule',
        'name=Vigil-allow-TCP-22',
        'dir=in',
        'action=allow',
        'protocol=TCP',
        'localport=22',
      ],
      [
        'netsh.exe',
        'advfirewall',
        'firewall',
        'add',
        'rule',
        'name=Vigil-allow-TCP-3389',
        'dir=in',
        'action=allow',
        'protocol=TCP',
        'localport=3389',
      ],
      [
        'netsh.exe',
        'advfirewall',
        'firewall',
        'add',
        'rule',
        'name=Vigil-allow-UDP-53',
        'dir=in',
        'action=allow',
        'protocol=UDP',
        'localport=53',
      ],
    ]);
    expect(build('bitlocker.enable', {})).toEqual([
      ['manage-bde.exe', '-protectors', '-add', 'C:', '-TPM'],
      ['manage-bde.exe', '-protectors', '-add', 'C:', '-RecoveryPassword'],
      ['manage-bde.exe', '-on', 'C:', '-UsedSpaceOnly'],
    ]);
    expect(build('bitlocker.enable', { drive: 'd:', tpm: false, used_space_only: false })).toEqual([
      ['manage-bde.exe', '-protectors', '-add', 'D:', '-RecoveryPassword'],
      ['manage-bde.exe', '-on', 'D:'],
    ]);
    expect(build('dep.enable', {})).toEqual([['bcdedit.exe', '/set', '{current}', 'nx', 'OptOut']]);
    expect(build('dep.enable', { policy: 'AlwaysOn' })).toEqual([
      ['bcdedit.exe', '/set', '{current}', 'nx', 'AlwaysOn'],
    ]);
  });

  it('registry.delete_key refuses roots, top-level and critical keys', () => {
    const run = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';
    expect(build('registry.delete_key', { key: run, value: 'AdwareUpdater' })).toEqual([
      ['reg.exe', 'delete', run, '/v', 'AdwareUpdater', '/f', '/reg:64'],
    ]);
    expect(build('registry.delete_key', { key: 'HKCU\\Software\\BadVendor\\' })).toEqual([
      ['reg.exe', 'delete', 'HKCU\\Software\\BadVendor', '/f', '/reg:64'],
    ]);
    for (const key of ['HKLM\\SOFTWARE', 'HKLM\\SOFTWARE\\Microsoft', 'HKLM\\system\\currentcontrolset'])
      expect(() => build('registry.delete_key', { key })).toThrow(/refusing/);
    expect(() => build('registry.delete_key', { key: 'HKLM\\SOFTWARE\\\\Microsoft' })).toThrow();
    expect(() => build('registry.delete_key', { key: 'HKEY_EVIL\\x\\y' })).toThrow(/'key'/);
  });
});
