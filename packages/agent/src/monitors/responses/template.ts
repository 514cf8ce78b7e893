/**
 * Parameters of an automated response taken from the alert's event: a string that is exactly
 * `{{field}}` becomes the field's value with its type (`{{pid}}` → 4242), other strings have their
 * `{{field}}` references replaced by text. The server checks a response's parameters with the
 * same rules before it accepts the response (checkResponseStep, in check-step.ts: it validates with
 * TypeBox, which the agent does not load).
 */
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
