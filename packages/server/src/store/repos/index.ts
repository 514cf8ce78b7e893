/** All repositories over one store. */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { AccountsRepo } from './accounts.js';
import { AgentCommandsRepo } from './agent-commands.js';
import { AgentMessagesRepo } from './agent-messages.js';
import { AlertsRepo } from './alerts.js';
import { ApiTokensRepo } from './api-tokens.js';
import { AuditRepo } from './audit.js';
import { DevicesRepo } from './devices.js';
import { EnrollmentTokensRepo } from './enrollment-tokens.js';
import { GroupsRepo } from './groups.js';
import { SessionsRepo } from './sessions.js';
import { UsersRepo } from './users.js';

/** The repositories the services use. */
export interface Repos {
  accounts: AccountsRepo;
  users: UsersRepo;
  sessions: SessionsRepo;
  apiTokens: ApiTokensRepo;
  audit: AuditRepo;
  devices: DevicesRepo;
  groups: GroupsRepo;
  enrollmentTokens: EnrollmentTokensRepo;
  agentMessages: AgentMessagesRepo;
  agentCommands: AgentCommandsRepo;
  alerts: AlertsRepo;
}

/** Build every repository over one database handle. */
export function createRepos(db: Kysely<Database>): Repos {
  return {
    accounts: new AccountsRepo(db),
    users: new UsersRepo(db),
    sessions: new SessionsRepo(db),
    apiTokens: new ApiTokensRepo(db),
    audit: new AuditRepo(db),
    devices: new DevicesRepo(db),
    groups: new GroupsRepo(db),
    enrollmentTokens: new EnrollmentTokensRepo(db),
    agentMessages: new AgentMessagesRepo(db),
    agentCommands: new AgentCommandsRepo(db),
    alerts: new AlertsRepo(db),
  };
}
