/**
 * Typed readers of action parameters. The runner has already validated them against the
 * action's schema; these check again at the point of use (an implementation may be called
 * another way, and no unchecked value may reach a command line) and refuse with a clear message.
 */
import { refuse } from './action-failure.js';

/** A short, quoted rendering of a bad value for a refusal message. */
export function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** An integer parameter within bounds, or undefined when absent. */
export function optionalInteger(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    refuse(`\`${name}\` must be an integer from ${min} to ${max}; got ${describeValue(value)}`);
  }
  return value;
}

/** A boolean parameter, or the fallback when absent. */
export function booleanParam(params: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const value = params[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') refuse(`\`${name}\` must be true or false`);
  return value;
}

/** A list parameter whose items all pass `check`; empty when absent. */
export function listParam<T>(
  params: Record<string, unknown>,
  name: string,
  maxItems: number,
  check: (item: unknown) => T | undefined,
  what: string,
): T[] {
  const value = params[name];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > maxItems) {
    refuse(`\`${name}\` must be a list of at most ${maxItems} ${what}s`);
  }
  return value.map((item) => {
    const checked = check(item);
    if (checked === undefined) refuse(`\`${name}\` holds ${describeValue(item)}, which is not a ${what}`);
    return checked;
  });
}

/** A port number (1-65535), or undefined. */
export function asPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535
    ? value
    : undefined;
}
