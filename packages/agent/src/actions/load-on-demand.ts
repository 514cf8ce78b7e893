/**
 * The action loader, imported when an agent first needs it. The loader parses YAML and compiles
 * each action's parameter schema with TypeBox (the schemas are data, so they cannot be generated
 * at build time like the protocol's validators); an agent that runs no action never loads either
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */
import type { ActionDefinitionT } from '@vigil/protocol';

/** loadActions of the shipped catalogue (or `dir`), importing the loader on first use. */
export async function loadActionsOnDemand(dir?: string): Promise<ActionDefinitionT[]> {
  const { loadActions } = await import('./load.js');
  return loadActions(dir);
}

/** validateActionParams, importing the loader on first use. */
export async function validateActionParamsOnDemand(
  def: ActionDefinitionT,
  params: unknown,
): Promise<Record<string, unknown>> {
  const { validateActionParams } = await import('./load.js');
  return validateActionParams(def, params);
}
