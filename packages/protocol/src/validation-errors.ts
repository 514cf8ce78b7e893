/**
 * How a failed validation becomes a VigilError: the first problem as a sentence a person can act
 * on, the first five as details. Shared by the TypeBox validators (validate.ts) and the ones
 * generated at build time (standalone-validator.ts), so both fail with the same words.
 */
import { type ErrorCode, VigilError } from './errors.js';

/** One validation problem as TypeBox reports it. */
export interface SchemaProblem {
  instancePath: string;
  message: string;
  keyword: string;
  params: unknown;
}

/** Describe one validation problem as a sentence a person can act on. */
function describe(error: SchemaProblem): string {
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

/** The VigilError for a value that failed its schema with these problems (in TypeBox's order). */
export function validationError(problems: Iterable<SchemaProblem>, code: ErrorCode): VigilError {
  // TypeBox adds a 'boolean' problem for each failed sub-schema of a union; it names nothing.
  const errors = [...problems].filter((e) => e.keyword !== 'boolean');
  const first = errors[0];
  const message = first ? describe(first) : 'the input does not match its schema';
  return new VigilError(code, message, { details: errors.slice(0, 5).map(describe) });
}
