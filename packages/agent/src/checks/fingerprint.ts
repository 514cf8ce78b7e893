/**
 * The device fingerprint: the facts `applies_when` conditions of checks are evaluated against
 * (on the agent and on the server alike). Computed from the agent's own tables, so it works the
 * same on a live host and on a fixture root.
 *
 * Shape (fact names in dotted form, as used in check files):
 * - `os.platform`   'linux'
 * - `os.id`         os-release ID ('debian', 'ubuntu', 'rhel', 'rocky', …; '' when unknown)
 * - `os.version_id` os-release VERSION_ID ('12', '22.04', '9.3'; '' when unknown)
 * - `os.family`     'debian' | 'rhel' | 'suse' | 'alpine' | 'arch' | 'other' (from ID and ID_LIKE)
 * - `os.name`       os-release PRETTY_NAME, else NAME
 * - `kernel`        running kernel release ('6.1.0-18-amd64'; '' when unknown)
 * - `arch`          machine architecture ('x86_64', 'aarch64'; '' when unknown)
 * - `virtualization` 'none' | 'kvm' | 'qemu' | 'vmware' | 'virtualbox' | 'hyperv' | 'xen' | 'amazon' | 'google' | 'other'
 * - `container`     true inside a container (/.dockerenv, /run/.containerenv or a container cgroup for PID 1)
 * - `init`          'systemd' | 'sysvinit' | 'other'
 * - `services`      sorted names from SERVICE_SIGNATURES found installed (package, unit file or binary),
 *                   e.g. ['auditd', 'chrony', 'sshd']
 * - `role`          'desktop' when a display manager or X/Wayland session package is installed, else 'server'
 * - `package_manager` 'dpkg' | 'rpm' | 'other'
 */
import type { QueryEngine } from '../sql/engine.js';

/** Distribution families checks can target. */
export type OsFamily = 'debian' | 'rhel' | 'suse' | 'alpine' | 'arch' | 'other';

/** What a device is, for deciding which checks apply to it. */
export interface Fingerprint {
  os: { platform: 'linux'; id: string; version_id: string; family: OsFamily; name: string };
  kernel: string;
  arch: string;
  virtualization: string;
  container: boolean;
  init: 'systemd' | 'sysvinit' | 'other';
  services: string[];
  role: 'server' | 'desktop';
  package_manager: 'dpkg' | 'rpm' | 'other';
}

/** How a service shows itself: package names (a trailing * matches a prefix), unit files or binaries. */
interface ServiceSignature {
  packages: string[];
  units?: string[];
  binaries?: string[];
}

/** The services the fingerprint knows; the keys are the names `services` facts use. */
export const SERVICE_SIGNATURES: Record<string, ServiceSignature> = {
  sshd: {
    packages: ['openssh-server'],
    units: ['ssh.service', 'sshd.service'],
    binaries: ['/usr/sbin/sshd'],
  },
  nginx: {
    packages: ['nginx', 'nginx-core', 'nginx-full', 'nginx-light', 'nginx-extras'],
    units: ['nginx.service'],
    binaries: ['/usr/sbin/nginx'],
  },
  apache: {
    packages: ['apache2', 'httpd'],
    units: ['apache2.service', 'httpd.service'],
    binaries: ['/usr/sbin/apache2', '/usr/sbin/httpd'],
  },
  docker: {
    packages: ['docker-ce', 'docker.io', 'docker-engine', 'moby-engine', 'docker'],
    units: ['docker.service'],
    binaries: ['/usr/bin/dockerd'],
  },
  containerd: {
    packages: ['containerd', 'containerd.io'],
    units: ['containerd.service'],
    binaries: ['/usr/bin/containerd'],
  },
  podman: { packages: ['podman'], binaries: ['/usr/bin/podman'] },
  kubelet: { packages: ['kubelet'], units: ['kubelet.service'], binaries: ['/usr/bin/kubelet'] },
  postgres: {
    packages: ['postgresql', 'postgresql-1*', 'postgresql-9*', 'postgresql-server'],
    units: ['postgresql.service'],
  },
  mysql: {
    packages: [
      'mysql-server',
      'mysql-server-*',
      'mariadb-server',
      'mariadb-server-*',
      'community-mysql-server',
    ],
    units: ['mysql.service', 'mysqld.service', 'mariadb.service'],
  },
  redis: { packages: ['redis-server', 'redis'], units: ['redis-server.service', 'redis.service'] },
  mongodb: { packages: ['mongodb-org-server', 'mongodb-server'], units: ['mongod.service'] },
  cups: { packages: ['cups', 'cups-daemon'], units: ['cups.service', 'cups.socket'] },
  avahi: { packages: ['avahi-daemon', 'avahi'], units: ['avahi-daemon.service'] },
  xinetd: { packages: ['xinetd'], units: ['xinetd.service'] },
  telnetd: {
    packages: ['telnetd', 'inetutils-telnetd', 'telnetd-ssl', 'telnet-server'],
    units: ['telnet.socket'],
  },
  ftpd: {
    packages: ['vsftpd', 'proftpd-basic', 'proftpd-core', 'proftpd', 'pure-ftpd', 'inetutils-ftpd'],
    units: ['vsftpd.service', 'proftpd.service', 'pure-ftpd.service'],
  },
  snmpd: { packages: ['snmpd', 'net-snmp'], units: ['snmpd.service'], binaries: ['/usr/sbin/snmpd'] },
  samba: { packages: ['samba'], units: ['smbd.service', 'smb.service'] },
  nfs: { packages: ['nfs-kernel-server', 'nfs-utils'], units: ['nfs-server.service'] },
  bind: { packages: ['bind9', 'bind'], units: ['named.service', 'bind9.service'] },
  dnsmasq: { packages: ['dnsmasq', 'dnsmasq-base'], units: ['dnsmasq.service'] },
  postfix: { packages: ['postfix'], units: ['postfix.service'] },
  exim: {
    packages: ['exim4-daemon-light', 'exim4-daemon-heavy', 'exim'],
    units: ['exim4.service', 'exim.service'],
  },
  auditd: {
    packages: ['auditd', 'audit'],
    units: ['auditd.service'],
    binaries: ['/sbin/auditd', '/usr/sbin/auditd'],
  },
  rsyslog: { packages: ['rsyslog'], units: ['rsyslog.service'] },
  'syslog-ng': { packages: ['syslog-ng', 'syslog-ng-core'], units: ['syslog-ng.service'] },
  chrony: {
    packages: ['chrony'],
    units: ['chrony.service', 'chronyd.service'],
    binaries: ['/usr/sbin/chronyd'],
  },
  ntp: {
    packages: ['ntp', 'ntpsec'],
    units: ['ntp.service', 'ntpd.service', 'ntpsec.service'],
    binaries: ['/usr/sbin/ntpd'],
  },
  timesyncd: { packages: ['systemd-timesyncd'], units: ['systemd-timesyncd.service'] },
  fail2ban: { packages: ['fail2ban'], units: ['fail2ban.service'] },
  ufw: { packages: ['ufw'], units: ['ufw.service'], binaries: ['/usr/sbin/ufw'] },
  firewalld: { packages: ['firewalld'], units: ['firewalld.service'] },
  nftables: { packages: ['nftables'], units: ['nftables.service'], binaries: ['/usr/sbin/nft'] },
  iptables: { packages: ['iptables'], binaries: ['/usr/sbin/iptables'] },
  apparmor: { packages: ['apparmor'], units: ['apparmor.service'] },
  selinux: { packages: ['selinux-policy', 'selinux-basics'] },
  openvpn: { packages: ['openvpn'] },
  wireguard: { packages: ['wireguard-tools'] },
  clamav: { packages: ['clamav-daemon', 'clamd'], units: ['clamav-daemon.service', 'clamd@.service'] },
  aide: { packages: ['aide'] },
  sudo: { packages: ['sudo'], binaries: ['/usr/bin/sudo'] },
};

/** Packages whose presence makes a host a desktop: display managers and graphical sessions. */
const DESKTOP_PACKAGES = [
  'gdm3',
  'gdm',
  'lightdm',
  'sddm',
  'xdm',
  'lxdm',
  'slim',
  'xserver-xorg-core',
  'xorg-x11-server-Xorg',
  'xwayland',
  'xorg-x11-server-Xwayland',
  'gnome-shell',
  'plasma-workspace',
  'xfce4-session',
];

const FAMILIES: Array<[OsFamily, string[]]> = [
  ['debian', ['debian', 'ubuntu', 'linuxmint', 'raspbian', 'kali', 'pop']],
  ['rhel', ['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'amzn', 'scientific']],
  ['suse', ['suse', 'opensuse', 'sles', 'opensuse-leap', 'opensuse-tumbleweed', 'sled']],
  ['alpine', ['alpine']],
  ['arch', ['arch', 'manjaro', 'endeavouros']],
];

const VIRT_VENDORS: Array<[RegExp, string]> = [
  [/amazon ec2/i, 'amazon'],
  [/google/i, 'google'],
  [/vmware/i, 'vmware'],
  [/virtualbox|innotek/i, 'virtualbox'],
  [/microsoft corporation/i, 'hyperv'],
  [/xen/i, 'xen'],
  [/kvm|openstack|digitalocean|hetzner|red hat|nutanix/i, 'kvm'],
  [/qemu|bochs/i, 'qemu'],
];

/** Rows of a query, or none when the query cannot run (a fingerprint is built from whatever is readable). */
function rows(engine: QueryEngine, sql: string): Array<Record<string, unknown>> {
  try {
    return engine.run(sql).rows as Array<Record<string, unknown>>;
  } catch {
    return [];
  }
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

const quoteList = (items: string[]) => items.map((i) => `'${i.replaceAll("'", "''")}'`).join(', ');

/** os-release(5) key/value pairs, from /etc/os-release or its fallback. */
function osRelease(engine: QueryEngine): Map<string, string> {
  const values = new Map<string, string>();
  const lines = rows(
    engine,
    "SELECT path, line FROM file_lines WHERE path IN ('/etc/os-release', '/usr/lib/os-release')",
  );
  const chosen = lines.some((l) => l.path === '/etc/os-release') ? '/etc/os-release' : '/usr/lib/os-release';
  for (const l of lines) {
    if (l.path !== chosen) continue;
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(text(l.line));
    if (m) values.set(m[1] as string, (m[2] as string).trim().replace(/^(["'])(.*)\1$/, '$2'));
  }
  return values;
}

/** The distribution family from os-release ID and ID_LIKE. */
export function osFamily(id: string, idLike: string): OsFamily {
  const ids = [id, ...idLike.split(/\s+/)].map((s) => s.toLowerCase()).filter((s) => s !== '');
  for (const [family, members] of FAMILIES) if (ids.some((i) => members.includes(i))) return family;
  return 'other';
}

function matches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function detectVirtualization(engine: QueryEngine): string {
  const dmi = rows(
    engine,
    "SELECT line FROM file_lines WHERE path IN ('/sys/class/dmi/id/sys_vendor', '/sys/class/dmi/id/product_name', '/sys/class/dmi/id/bios_vendor')",
  )
    .map((r) => text(r.line))
    .join(' ');
  for (const [re, name] of VIRT_VENDORS) if (re.test(dmi)) return name;
  const hypervisor = rows(
    engine,
    "SELECT 1 AS x FROM file_lines WHERE path = '/proc/cpuinfo' AND line LIKE 'flags%' AND line LIKE '% hypervisor%' LIMIT 1",
  );
  return hypervisor.length > 0 ? 'other' : 'none';
}

function detectContainer(engine: QueryEngine): boolean {
  if (rows(engine, "SELECT path FROM file WHERE path IN ('/.dockerenv', '/run/.containerenv')").length > 0)
    return true;
  const cgroup = rows(engine, "SELECT line FROM file_lines WHERE path = '/proc/1/cgroup'").map((r) =>
    text(r.line),
  );
  return cgroup.some((l) => /docker|kubepods|containerd|libpod|lxc|\/podman/.test(l));
}

function detectInit(engine: QueryEngine): Fingerprint['init'] {
  if (rows(engine, "SELECT path FROM file WHERE path = '/run/systemd/system'").length > 0) return 'systemd';
  const comm = rows(engine, "SELECT line FROM file_lines WHERE path = '/proc/1/comm'")[0];
  const pid1 = text(comm?.line).trim();
  if (pid1 === 'systemd') return 'systemd';
  if (pid1 === 'init' && rows(engine, "SELECT path FROM file WHERE path = '/etc/inittab'").length > 0)
    return 'sysvinit';
  return 'other';
}

/** Computes the device fingerprint from the query engine's tables (unreadable sources are simply absent). */
export function computeFingerprint(engine: QueryEngine): Fingerprint {
  const release = osRelease(engine);
  const id = release.get('ID') ?? '';
  const kernel = text(rows(engine, 'SELECT version FROM kernel_info')[0]?.version);
  const arch = text(rows(engine, 'SELECT arch FROM os_version')[0]?.arch);

  const hasDpkg = rows(engine, "SELECT path FROM file WHERE path = '/var/lib/dpkg/status'").length > 0;
  const hasRpm =
    rows(engine, "SELECT path FROM file WHERE path IN ('/var/lib/rpm', '/usr/lib/sysimage/rpm')").length > 0;
  const packages = new Set<string>();
  if (hasDpkg) for (const r of rows(engine, 'SELECT name FROM deb_packages')) packages.add(text(r.name));
  if (hasRpm) for (const r of rows(engine, 'SELECT name FROM rpm_packages')) packages.add(text(r.name));
  const units = new Set(
    rows(engine, "SELECT id FROM systemd_units WHERE unit_file_state <> 'masked'").map((r) => text(r.id)),
  );
  const allBinaries = [...new Set(Object.values(SERVICE_SIGNATURES).flatMap((s) => s.binaries ?? []))];
  const binaries = new Set(
    rows(engine, `SELECT path FROM file WHERE path IN (${quoteList(allBinaries)}) AND type = 'regular'`).map(
      (r) => text(r.path),
    ),
  );

  const services = Object.entries(SERVICE_SIGNATURES)
    .filter(
      ([, sig]) =>
        sig.packages.some((p) => [...packages].some((name) => matches(p, name))) ||
        (sig.units ?? []).some((u) => units.has(u)) ||
        (sig.binaries ?? []).some((b) => binaries.has(b)),
    )
    .map(([name]) => name)
    .sort();
  const desktop = DESKTOP_PACKAGES.some((p) => packages.has(p)) || units.has('display-manager.service');

  return {
    os: {
      platform: 'linux',
      id,
      version_id: release.get('VERSION_ID') ?? '',
      family: osFamily(id, release.get('ID_LIKE') ?? ''),
      name: release.get('PRETTY_NAME') ?? release.get('NAME') ?? 'Linux',
    },
    kernel,
    arch,
    virtualization: detectVirtualization(engine),
    container: detectContainer(engine),
    init: detectInit(engine),
    services,
    role: desktop ? 'desktop' : 'server',
    package_manager: hasDpkg ? 'dpkg' : hasRpm ? 'rpm' : 'other',
  };
}
