/** Which group names a filter reads through `groups CONTAINS`. */
import type { DeviceFilter } from './ast.js';

/**
 * The distinct group names a filter names in `groups CONTAINS '…'`, in order of appearance, so a
 * caller can tell the user that a named group does not exist or is dynamic (never matches).
 */
export function referencedGroupNames(ast: DeviceFilter): string[] {
  const names = new Set<string>();
  const visit = (node: DeviceFilter): void => {
    if (node.type === 'and' || node.type === 'or') node.operands.forEach(visit);
    else if (node.type === 'not') visit(node.operand);
    else if (node.type === 'contains' && node.collection === 'groups') names.add(node.value);
  };
  visit(ast);
  return [...names];
}
