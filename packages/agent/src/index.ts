/** @vigil/agent: the agent runtime, its SQL engine and table declarations. */

export { DEFAULT_ACTIONS_DIR, loadActions, parseAction, validateActionParams } from './actions/load.js';
export { appliesTo } from './checks/applies.js';
export { loadChecks, parseCheck } from './checks/load.js';
export { effectiveParams, renderSql } from './checks/render.js';
export { enroll, fetchPinnedCa } from './daemon/enroll.js';
export { defaultStateDir, isEnrolled, loadIdentity } from './daemon/identity.js';
export { AgentRuntime } from './daemon/runtime.js';
export { type StartedAgent, startAgent } from './daemon/start-agent.js';
export { checkResponseStep } from './monitors/responses/check-step.js';
export { responseNames } from './monitors/responses/responder.js';
export { fillParams } from './monitors/responses/template.js';
export { DEFAULT_RULES_DIR, loadRules, parseRule } from './monitors/rules/load.js';
export { renderRule } from './monitors/rules/render.js';
export type { MonitorConfig } from './monitors/service.js';
export {
  createQueryEngine,
  DEFAULT_MAX_ROWS,
  type QueryEngine,
  type QueryEngineOptions,
  type QueryResult,
  type RunOptions,
} from './sql/engine.js';
export { createQueryRunner, type QueryRunner, type QueryRunnerOptions } from './sql/query-runner.js';
export { validateSql } from './sql/validate.js';
export type { AgentInfo, AgentInfoProvider } from './tables/collectors/vigil-agent.js';
export {
  type ColumnDeclaration,
  type ColumnType,
  DEFAULT_DECLARATIONS_DIR,
  loadDeclarations,
  parseDeclaration,
  type TableDeclaration,
} from './tables/declarations.js';
export { allCollectors, buildRegistry, type RegisteredTable } from './tables/registry.js';
export type { Cell, ConstraintHints, Row, TableCollector, TableContext } from './tables/types.js';
