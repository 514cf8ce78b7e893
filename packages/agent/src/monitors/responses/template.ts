/**
 * Parameters of an automated response taken from the alert's event: a string that is exactly
 * `{{field}}` becomes the field's value with its type (`{{pid}}` → 4242), other strings have their
 * `{{field}}` references replaced by text. The server checks a response's parameters with the
 * same rules before it accepts the response (checkResponseStep).
 */
import { type ActionDefinitionT, compileValidator, type ResponseStepT, VigilError } from '@vigil/protocol';
import type { TSchema } from 'typebox';
import { fieldValue } from '../rules/match.js';

const WHOLE = /^\{\{\s*([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\s*\}\}$/;
const ANY = /\{\{\s*([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\s*\}\}/g;

/** Thrown when an event lacks a field a response needs. */
export class MissingField extends Error {
  constructor(readonly field: string) {
    super(`the event has no field ${field}`);
  }
}

/** The parameters with every reference filled from `fields`; throws MissingField. */
export function fillParams(
  params: Record<string, unknown>,
  fields: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') {
      out[name] = structuredClone(value);
      continue;
    }
    const whole = WHOLE.exec(value);
    if (whole) {
      const v = fieldValue(fields, whole[1] as string);
      if (v === undefined || v === null) throw new MissingField(whole[1] as string);
      out[name] = v;
      continue;
    }
    out[name] = value.replace(ANY, (_m, field: string) => {
      const v = fieldValue(fields, field);
      if (v === undefined || v === null) throw new MissingField(field);
      return String(v);
    });
  }
  return out;
}

/** Whether a parameter value is (or contains) a reference into the event. */
export function isTemplated(value: unknown): boolean {
  return typeof value === 'string' && /\{\{[^}]+\}\}/.test(value);
}

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
