/**
 * The server's check of an automated response's steps before it stores the response, with the
 * same reference rules the agent fills parameters by (template.ts). Apart from template.ts because
 * it validates literal values with TypeBox, which a running agent does not load.
 */
import { type ActionDefinitionT, compileValidator, type ResponseStepT, VigilError } from '@vigil/protocol';
import type { TSchema } from 'typebox';
import { isTemplated } from './template.js';

/**
 * Check one response step against the action's declaration before it is stored: the action may
 * run unattended (not high risk), every parameter is declared, literal values match their schema,
 * and every required parameter is given (literally or as a reference).
 */
export function checkResponseStep(def: ActionDefinitionT, step: ResponseStepT): void {
  const fail = (why: string): never => {
    throw new VigilError('E_ACTION_PARAMS', `${def.name}: ${why}`);
  };
  if (def.risk === 'high' || def.approval)
    throw new VigilError(
      'E_ACTION_REFUSED',
      `${def.name} is a high-risk action that needs a second admin's approval; it cannot run as an automated response`,
    );
  if (!def.platforms.some((p) => p.platform === 'linux'))
    throw new VigilError('E_ACTION_PLATFORM', `${def.name} does not run on Linux, where the monitors run`);
  const props = def.params.properties as Record<string, TSchema>;
  for (const [name, value] of Object.entries(step.params)) {
    const schema = props[name];
    if (!schema) fail(`has no parameter '${name}' (it has ${Object.keys(props).join(', ')})`);
    if (isTemplated(value)) continue;
    if (!compileValidator(schema as TSchema).check(value))
      fail(`parameter '${name}' does not match its schema`);
  }
  const required = def.params.required ?? [];
  for (const name of required) if (!(name in step.params)) fail(`parameter '${name}' is required`);
  const oneOf = (def.params as { oneOf?: Array<{ required?: string[] }> }).oneOf;
  if (Array.isArray(oneOf) && !oneOf.some((b) => (b.required ?? []).every((f) => f in step.params)))
    fail(`give one of ${oneOf.map((b) => (b.required ?? []).join(' + ')).join(', ')}`);
}
