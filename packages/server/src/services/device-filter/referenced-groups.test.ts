import { describe, expect, it } from 'vitest';
import { parseDeviceFilter } from './parse.js';
import { referencedGroupNames } from './referenced-groups.js';

describe('referencedGroupNames', () => {
  it('lists each group named by groups CONTAINS once, wherever it is nested', () => {
    const ast = parseDeviceFilter(
      "groups CONTAINS 'a' OR (tags CONTAINS 'b' AND NOT groups CONTAINS 'c') OR groups CONTAINS 'a' OR hostname = 'd'",
    );
    expect(referencedGroupNames(ast)).toEqual(['a', 'c']);
  });

  it('is empty when no group is named', () => {
    expect(referencedGroupNames(parseDeviceFilter("tags CONTAINS 'groups'"))).toEqual([]);
  });
});
