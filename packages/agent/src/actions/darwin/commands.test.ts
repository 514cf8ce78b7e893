import { describe, expect, it } from 'vitest';
import { loadActions, validateActionParams } from '../load.js';
import { darwinCommands, FILEVAULT_RECOVERY_PLIST, globToEre } from './commands.js';

const defs = new Map(loadActions().map((d) => [d.name, d]));
const build = (action: string, params: Record<string, unknown>) => {
  const def = defs.get(action);
  const builder = darwinCommands[action];
  if (!def || !builder) throw new Error(action);
  return builder(validateActionParams(def, params)).map((s) => [s.program, ...s.args]);
};

describe('macOS command construction (argv only; not run)', () => {
  it('has a builder for every action the catalogue declares for macOS, except the Node file actions', () => {
    const declared = [...defs.values()]
      .filter((d) => d.platforms.some((p) => p.platform === 'darwin'))
      .map((d) => d.name)
      .filter((n) => !n.startsWith('file.'));
    expect(declared.length).toBeGreaterThan(5);
    expect(declared.filter((n) => !darwinCommands[n])).toEqual([]);
    expect(Object.keys(darwinCommands).filter((n) => !declared.includes(n))).toEqual([]);
  });

  it('process.kill', () => {
    expect(globToEre('a.b*')).toBe('^a\\.b.*$');
    expect(build('process.kill', { pid: 321 })).toEqual([['/bin/kill', '-s', 'KILL', '321']]);
    expect(build('process.kill', { name: 'Mac*Keeper', signal: 'TERM' })).toEqual([
      ['/usr/bin/pkill', '-TERM', '--', '^Mac.*Keeper$'],
    ]);
    expect(build('process.kill', { exe: '/tmp/*' })).toEqual([
      ['/usr/bin/pkill', '-KILL', '-f', '--', '^/tmp/.*( |$)'],
    ]);
    expect(() => build('process.kill', { pid: 1 })).toThrow(/launchd/);
    expect(() => build('process.kill', { sha256: 'b'.repeat(64) })).toThrow(/hash/);
  });

  it('users, caches, power, firewall, Gatekeeper and FileVault', () => {
    expect(build('user.lock', { username: 'bob' })).toEqual([
      ['/usr/bin/pwpolicy', '-u', 'bob', '-disableuser'],
    ]);
    expect(build('user.unlock', { username: 'bob' })).toEqual([
      ['/usr/bin/pwpolicy', '-u', 'bob', '-enableuser'],
    ]);
    expect(build('cache.flush_dns', {})).toEqual([
      ['/usr/bin/dscacheutil', '-flushcache'],
      ['/usr/bin/killall', '-HUP', 'mDNSResponder'],
    ]);
    expect(build('cache.flush_arp', {})).toEqual([['/usr/sbin/arp', '-a', '-d']]);
    expect(() => build('cache.flush_arp', { interface: 'en0' })).toThrow(/every interface/);
    expect(build('system.reboot', { delay_min: 10, message: 'Updates' })).toEqual([
      ['/sbin/shutdown', '-r', '+10', 'Updates'],
    ]);
    expect(build('system.shutdown', { delay_min: 0, message: 'Bye' })).toEqual([
      ['/sbin/shutdown', '-h', 'now', 'Bye'],
    ]);
    expect(build('firewall.enable', {})).toEqual([
      ['/usr/libexec/ApplicationFirewall/socketfilterfw', '--setglobalstate', 'on'],
      ['/usr/libexec/ApplicationFirewall/socketfilterfw', '--setstealthmode', 'on'],
    ]);
    expect(() => build('firewall.enable', { allow_tcp: [22] })).toThrow(/by application/);
    expect(build('gatekeeper.enable', {})).toEqual([['/usr/sbin/spctl', '--master-enable']]);
    expect(build('filevault.enable', {})).toEqual([
      [
        '/usr/bin/fdesetup',
        'enable',
        '-defer',
        FILEVAULT_RECOVERY_PLIST,
        '-forceatlogin',
        '0',
        '-dontaskatlogout',
      ],
    ]);
  });
});
