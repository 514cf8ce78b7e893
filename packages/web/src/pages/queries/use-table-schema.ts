/** The table declarations shipped with the console build (table-schema.json), loaded once. */
import { useEffect, useState } from 'react';
import type { TableSchema } from '../../api/types.js';

let cached: Promise<TableSchema> | null = null;

export function useTableSchema(): TableSchema | null {
  const [schema, setSchema] = useState<TableSchema | null>(null);
  useEffect(() => {
    cached ??= fetch('/table-schema.json').then((r) =>
      r.ok ? (r.json() as Promise<TableSchema>) : { tables: [] },
    );
    let live = true;
    cached.then(
      (s) => live && setSchema(s),
      () => live && setSchema({ tables: [] }),
    );
    return () => {
      live = false;
    };
  }, []);
  return schema;
}
