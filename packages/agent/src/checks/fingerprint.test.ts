import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueryEngine } from '../sql/engine.js';
import { computeFingerprint, type Fingerprint, osFamily, SERVICE_SIGNATURES } from './fingerprint.js';

const roots: string[] = [];

function tree(files: Record<string, string | { link: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-fp-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith('/')) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    if (typeof content === 'string') writeFileSync(full, content);
    else symlinkSync(content.link, full);
  }
  return root;
}

function fingerprintOf(root: string): Fingerprint {
  const engine = createQueryEngine({ root });
  try {
    return computeFingerprint(engine);
  } finally {
    engine.close();
  }
}

const stanza = (name: string) =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n`;
const unit =
  '[Unit]\nDescription=fixture\n\n[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n';

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('computeFingerprint on fixture roots', () => {
  it('describes a Debian server in a Docker container', () => {
    const root = tree({
      'etc/os-release':
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
      'proc/sys/kernel/osrelease': '6.1.0-18-amd64\n',
      'proc/sys/kernel/arch': 'x86_64\n',
      'proc/cmdline': 'BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro\n',
      'proc/1/cgroup': '0::/system.slice/docker-0123abcd.scope\n',
      'proc/1/comm': 'systemd\n',
      '.dockerenv': '',
      'run/systemd/system/': '',
      'var/lib/dpkg/status': ['base-files', 'openssh-server', 'auditd', 'chrony', 'postgresql-15', 'sudo']
        .map(stanza)
        .join('\n'),
      'lib/systemd/system/nginx.service': unit,
      'sys/class/dmi/id/sys_vendor': 'QEMU\n',
    });
    const fp = fingerprintOf(root);
    expect(fp).toEqual({
      os: {
        platform: 'linux',
        id: 'debian',
        version_id: '12',
        family: 'debian',
        name: 'Debian GNU/Linux 12 (bookworm)',
      },
      kernel: '6.1.0-18-amd64',
      arch: 'x86_64',
      virtualization: 'qemu',
      container: true,
      init: 'systemd',
      services: ['auditd', 'chrony', 'nginx', 'postgres', 'sshd', 'sudo'],
      role: 'server',
      package_manager: 'dpkg',
    });
  });

  it('describes a Rocky Linux desktop from unit files and binaries, without a package database it can read', () => {
    const root = tree({
      'usr/lib/os-release':
        'NAME="Rocky Linux"\nVERSION_ID="9.3"\nID="rocky"\nID_LIKE="rhel centos fedora"\n',
      'var/lib/rpm/': '',
      'usr/lib/systemd/system/gdm.service': unit,
      'usr/lib/systemd/system/firewalld.service': unit,
      'etc/systemd/system/display-manager.service': { link: '/usr/lib/systemd/system/gdm.service' },
      'usr/sbin/sshd': 'binary',
      'proc/1/comm': 'systemd\n',
      'proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu vme de pse hypervisor lahf_lm\n',
    });
    const fp = fingerprintOf(root);
    expect(fp.os).toEqual({
      platform: 'linux',
      id: 'rocky',
      version_id: '9.3',
      family: 'rhel',
      name: 'Rocky Linux',
    });
    expect(fp.services).toEqual(['firewalld', 'sshd']);
    expect(fp.role).toBe('desktop');
    expect(fp.package_manager).toBe('rpm');
    expect(fp.container).toBe(false);
    expect(fp.init).toBe('systemd');
    expect(fp.virtualization).toBe('other');
  });

  it('falls back to unknowns on an empty root instead of failing', () => {
    const fp = fingerprintOf(tree({ 'etc/': '' }));
    expect(fp.os.family).toBe('other');
    expect(fp.os.id).toBe('');
    expect(fp.services).toEqual([]);
    expect(fp.init).toBe('other');
    expect(fp.package_manager).toBe('other');
    expect(fp.virtualization).toBe('none');
    expect(fp.container).toBe(false);
  });

  it('maps os-release ids to families', () => {
    expect(osFamily('ubuntu', 'debian')).toBe('debian');
    expect(osFamily('ol', 'fedora')).toBe('rhel');
    expect(osFamily('opensuse-leap', 'suse opensuse')).toBe('suse');
    expect(osFamily('alpine', '')).toBe('alpine');
    expect(osFamily('manjaro', 'arch')).toBe('arch');
    expect(osFamily('nixos', '')).toBe('other');
  });
});

describe('computeFingerprint on this machine', () => {
  it('reports the running kernel, a consistent OS and only known services', () => {
    const fp = fingerprintOf('/');
    expect(fp.os.platform).toBe('linux');
    expect(fp.kernel).toBe(release());
    let osRelease = '';
    try {
      osRelease = readFileSync('/etc/os-release', 'utf8');
    } catch {
      osRelease = readFileSync('/usr/lib/os-release', 'utf8');
    }
    const id = /^ID="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? '';
    expect(fp.os.id).toBe(id);
    expect(fp.os.family).toBe(osFamily(id, /^ID_LIKE="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? ''));
    for (const s of fp.services) expect(Object.keys(SERVICE_SIGNATURES)).toContain(s);
    expect([...fp.services].sort()).toEqual(fp.services);
    expect(['systemd', 'sysvinit', 'other']).toContain(fp.init);
    expect(fp.package_manager === 'dpkg').toBe(existsSync('/var/lib/dpkg/status'));
    if (existsSync('/.dockerenv') || existsSync('/run/.containerenv')) expect(fp.container).toBe(true);
    if (existsSync('/usr/sbin/sshd')) expect(fp.services).toContain('sshd');
  });
});
