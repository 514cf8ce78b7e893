import { VigilError } from '@vigil/protocol/agent-runtime';
import { coreCollectors } from './collectors/index-core.js';
import { systemCollectors } from './collectors/index-system.js';
import { loadDeclarations, type TableDeclaration } from './declarations.js';
import type { TableCollector } from './types.js';

/** A declared table joined with the collector that fills it. */
export interface RegisteredTable {
  declaration: TableDeclaration;
  collector: TableCollector;
}

/** Every collector Vigil ships, core and system. */
export function allCollectors(): TableCollector[] {
  return [...coreCollectors, ...systemCollectors];
}

/**
 * Joins declarations with collectors by table name. A collector without a declaration, a
 * declaration without a collector, or a name given twice is a startup error.
 */
export function buildRegistry(
  declarations: TableDeclaration[] = loadDeclarations(),
  collectors: TableCollector[] = allCollectors(),
): Map<string, RegisteredTable> {
  const byName = new Map<string, TableCollector>();
  for (const collector of collectors) {
    if (byName.has(collector.name))
      throw new VigilError('E_CONFIG', `two collectors for table ${collector.name}`);
    byName.set(collector.name, collector);
  }
  const registry = new Map<string, RegisteredTable>();
  const undeclared = new Set(byName.keys());
  const missing: string[] = [];
  for (const declaration of declarations) {
    if (registry.has(declaration.name)) {
      throw new VigilError('E_CONFIG', `table ${declaration.name} is declared twice (${declaration.file})`);
    }
    const collector = byName.get(declaration.name);
    if (collector === undefined) missing.push(`${declaration.name} (${declaration.file})`);
    else registry.set(declaration.name, { declaration, collector });
    undeclared.delete(declaration.name);
  }
  const problems = [
    ...missing.map((m) => `declared table without a collector: ${m}`),
    ...[...undeclared].map((n) => `collector without a declaration: ${n}`),
  ];
  if (problems.length > 0) throw new VigilError('E_CONFIG', problems.join('; '));
  return registry;
}
