/** Rendering a check's SQL with its parameters as typed SQL literals (never raw text). */
import type { CheckDefinitionT } from '@vigil/protocol';
import { VigilError } from '@vigil/protocol/agent-runtime';

/** Parameter values by name (overrides over defaults). */
export type CheckParams = Record<string, unknown>;

function literal(type: string, value: unknown, name: string): string {
  switch (type) {
    case 'integer':
      if (!Number.isInteger(value))
        throw new VigilError('E_VALIDATION', `parameter ${name} must be a whole number`);
      return String(value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new VigilError('E_VALIDATION', `parameter ${name} must be a number`);
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean')
        throw new VigilError('E_VALIDATION', `parameter ${name} must be true or false`);
      return value ? '1' : '0';
    case 'string':
      if (typeof value !== 'string') throw new VigilError('E_VALIDATION', `parameter ${name} must be text`);
      return `'${value.replaceAll("'", "''")}'`;
    case 'string_list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw new VigilError('E_VALIDATION', `parameter ${name} must be a list of text`);
      return value.length === 0
        ? "('')"
        : `(${value.map((v) => `'${String(v).replaceAll("'", "''")}'`).join(', ')})`;
    default:
      throw new VigilError('E_VALIDATION', `parameter ${name} has unknown type ${type}`);
  }
}

/**
 * The effective parameter values: defaults, then overrides (unknown names refused, bounds checked).
 * Detection rules declare their parameters the same way, so they share this.
 */
export function effectiveParams(
  check: Pick<CheckDefinitionT, 'name' | 'parameters'>,
  overrides: CheckParams = {},
): CheckParams {
  const out: CheckParams = {};
  const declared = new Map((check.parameters ?? []).map((p) => [p.name, p]));
  for (const name of Object.keys(overrides)) {
    if (!declared.has(name)) throw new VigilError('E_VALIDATION', `${check.name} has no parameter ${name}`);
  }
  for (const p of declared.values()) {
    const value = overrides[p.name] ?? p.default;
    if (
      typeof value === 'number' &&
      ((p.minimum !== undefined && value < p.minimum) || (p.maximum !== undefined && value > p.maximum))
    ) {
      throw new VigilError(
        'E_VALIDATION',
        `parameter ${p.name} of ${check.name} must be within ${p.minimum ?? '-∞'}..${p.maximum ?? '∞'}`,
      );
    }
    literal(p.type, value, p.name);
    out[p.name] = value;
  }
  return out;
}

/** Substitute `{{name}}` placeholders with literals of the parameter's declared type. */
export function renderSql(check: CheckDefinitionT, sql: string, params: CheckParams): string {
  const types = new Map((check.parameters ?? []).map((p) => [p.name, p.type]));
  return sql.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_m, name: string) =>
    literal(types.get(name) ?? 'string', params[name], name),
  );
}
