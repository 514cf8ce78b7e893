/** Schema validation shared by every receiver: server routes, agent handlers, CLI input. */
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { type ErrorCode, VigilError } from './errors.js';

/** A compiled validator for one schema. */
export interface Validator<T extends TSchema> {
  /** Whether the value conforms. */
  check(value: unknown): value is Static<T>;
  /** The value, typed, or a VigilError naming the first problem and where it is. */
  parse(value: unknown, code?: ErrorCode): Static<T>;
}

/** Describe the first validation problem as a sentence a person can act on. */
function describe(error: {
  instancePath: string;
  message: string;
  keyword: string;
  params: unknown;
}): string {
  const where =
    error.instancePath === '' ? 'the input' : `'${error.instancePath.slice(1).replaceAll('/', '.')}'`;
  if (error.keyword === 'additionalProperties') {
    const names = (error.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return `${where} has unknown field(s): ${names.join(', ')}`;
  }
  if (error.keyword === 'required') {
    const names = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
    return `${where} is missing required field(s): ${names.join(', ')}`;
  }
  return `${where} ${error.message}`;
}

/** Compile a schema once; use the result for every message or request. */
export function compileValidator<T extends TSchema>(schema: T): Validator<T> {
  const compiled = Compile(schema);
  return {
    check: (value: unknown): value is Static<T> => compiled.Check(value),
    parse(value: unknown, code: ErrorCode = 'E_VALIDATION'): Static<T> {
      if (compiled.Check(value)) return value as Static<T>;
      const errors = [...compiled.Errors(value)].filter((e) => e.keyword !== 'boolean');
      const first = errors[0];
      const message = first ? describe(first) : 'the input does not match its schema';
      throw new VigilError(code, message, { details: errors.slice(0, 5).map(describe) });
    },
  };
}
