import type { TableCollector } from '../types.js';
import { apparmorProfiles } from './apparmor-profiles.js';
import { aptSources } from './apt-sources.js';
import { arpCache } from './arp-cache.js';
import { blockDevices } from './block-devices.js';
import { cpuInfo } from './cpu-info.js';
import { cpuTime } from './cpu-time.js';
import { debPackageFiles } from './deb-package-files.js';
import { debPackages } from './deb-packages.js';
import { diskEncryption } from './disk-encryption.js';
import { dnsResolvers } from './dns-resolvers.js';
import { dockerContainers } from './docker-containers.js';
import { etcHosts } from './etc-hosts.js';
import { etcProtocols } from './etc-protocols.js';
import { etcServices } from './etc-services.js';
import { interfaceAddresses } from './interface-addresses.js';
import { interfaceDetails } from './interface-details.js';
import { iptables } from './iptables.js';
import { kernelInfo } from './kernel-info.js';
import { kernelModules } from './kernel-modules.js';
import { loadAverage } from './load-average.js';
import { memoryInfo } from './memory-info.js';
import { mounts } from './mounts.js';
import { npmPackages } from './npm-packages.js';
import { osVersion } from './os-version.js';
import { pciDevices } from './pci-devices.js';
import { platformInfo } from './platform-info.js';
import { pythonPackages } from './python-packages.js';
import { routes } from './routes.js';
import { rpmPackages } from './rpm-packages.js';
import { secureboot } from './secureboot.js';
import { selinuxSettings } from './selinux-settings.js';
import { startupItems } from './startup-items.js';
import { systemControls } from './system-controls.js';
import { systemInfo } from './system-info.js';
import { systemdUnits } from './systemd-units.js';
import { time } from './time.js';
import { ulimitInfo } from './ulimit-info.js';
import { uptime } from './uptime.js';
import { usbDevices } from './usb-devices.js';
import { yumSources } from './yum-sources.js';

/** The collectors of the system, network and package tables. */
export const systemCollectors: TableCollector[] = [
  apparmorProfiles,
  aptSources,
  arpCache,
  blockDevices,
  cpuInfo,
  cpuTime,
  debPackages,
  debPackageFiles,
  diskEncryption,
  dnsResolvers,
  dockerContainers,
  etcHosts,
  etcProtocols,
  etcServices,
  interfaceAddresses,
  interfaceDetails,
  iptables,
  kernelInfo,
  kernelModules,
  loadAverage,
  memoryInfo,
  mounts,
  npmPackages,
  osVersion,
  pciDevices,
  platformInfo,
  pythonPackages,
  routes,
  rpmPackages,
  secureboot,
  selinuxSettings,
  startupItems,
  systemControls,
  systemInfo,
  systemdUnits,
  time,
  ulimitInfo,
  uptime,
  usbDevices,
  yumSources,
];
