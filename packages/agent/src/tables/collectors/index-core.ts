import type { TableCollector } from '../types.js';
import { authorizedKeys } from './authorized-keys.js';
import { crontab } from './crontab.js';
import { file } from './file.js';
import { fileContentScan } from './file-content-scan.js';
import { fileLines } from './file-lines.js';
import { groups } from './groups.js';
import { hash } from './hash.js';
import { knownHosts } from './known-hosts.js';
import { last } from './last.js';
import { listeningPorts } from './listening-ports.js';
import { loggedInUsers } from './logged-in-users.js';
import { processEnvs } from './process-envs.js';
import { processNamespaces } from './process-namespaces.js';
import { processOpenFiles } from './process-open-files.js';
import { processOpenSockets } from './process-open-sockets.js';
import { processes } from './processes.js';
import { shadow } from './shadow.js';
import { shellHistory } from './shell-history.js';
import { sshConfigs } from './ssh-configs.js';
import { sudoers } from './sudoers.js';
import { suidBin } from './suid-bin.js';
import { userGroups } from './user-groups.js';
import { userSshKeys } from './user-ssh-keys.js';
import { users } from './users.js';
import { vigilAgent } from './vigil-agent.js';

/** The collectors of the core tables (processes, users, files …), owned by the engine. */
export const coreCollectors: TableCollector[] = [
  authorizedKeys,
  crontab,
  file,
  fileContentScan,
  fileLines,
  groups,
  hash,
  knownHosts,
  last,
  listeningPorts,
  loggedInUsers,
  processEnvs,
  processNamespaces,
  processOpenFiles,
  processOpenSockets,
  processes,
  shadow,
  shellHistory,
  sshConfigs,
  sudoers,
  suidBin,
  userGroups,
  userSshKeys,
  users,
  vigilAgent,
];
