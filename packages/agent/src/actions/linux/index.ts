/**
 * The Linux action implementations, by action name: one spread per module. The network actions
 * come from network.ts; the package and clean-up actions (packages.ts, cleanup.ts) are added here
 * as `...linuxPackageActions, ...linuxCleanupActions` when those modules land.
 */
import type { ActionImpls } from '../types.js';
import { linuxCacheActions } from './cache.js';
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
};
