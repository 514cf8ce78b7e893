import type { TableDeclaration } from '../tables/declarations.js';
import type { TableSpec } from './constraints.js';

/** Derives what the constraint pre-pass needs from the declarations, keyed by table name. */
export function tableSpecs(declarations: Iterable<TableDeclaration>): Map<string, TableSpec> {
  const specs = new Map<string, TableSpec>();
  for (const d of declarations) {
    specs.set(d.name, {
      name: d.name,
      columns: d.columns.map((c) => c.name),
      required: d.columns.filter((c) => c.required).map((c) => c.name),
      index: d.columns.filter((c) => c.index || c.required).map((c) => c.name),
    });
  }
  return specs;
}

/** The message for a query that leaves a table's required columns unconstrained. */
export function requiredMessage(spec: TableSpec): string {
  return `${spec.name} requires a ${spec.required.join(' or ')} constraint`;
}
