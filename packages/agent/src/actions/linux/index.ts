/**
 * The Linux action implementations, by action name: one spread per module. software.deploy here
 * has no pinned CA (http to loopback only); createLinuxPackageActions({ serverCaPem }) gives one.
 */
import type { ActionImpls } from '../types.js';
import { linuxCacheActions } from './cache.js';
import { linuxCleanupActions } from './cleanup.js';
import { linuxFileActions } from './file.js';
import { linuxNetworkActions } from './network.js';
import { linuxPackageActions } from './packages.js';
import { linuxProcessActions } from './process.js';
import { linuxScriptActions } from './script.js';
import { linuxServiceActions } from './service.js';
import { linuxSystemActions } from './system.js';
import { linuxUserActions } from './user.js';

/** Every Linux action this agent implements. */
export const linuxActions: ActionImpls = {
  ...linuxProcessActions,
  ...linuxServiceActions,
  ...linuxFileActions,
  ...linuxUserActions,
  ...linuxSystemActions,
  ...linuxCacheActions,
  ...linuxScriptActions,
  ...linuxNetworkActions,
  ...linuxPackageActions,
  ...linuxCleanupActions,
};
