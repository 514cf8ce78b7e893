/**
 * Emits `table-schema.json` (every SQL table and its columns) from the same table declarations the
 * agent registers and the server validates live queries against, so the console's SQL completion
 * can never offer a table the agents do not have. The server has no schema endpoint yet; this is
 * the one source of truth until it does.
 */
import { loadDeclarations } from '@vigil/agent';
import type { Plugin } from 'vite';

/** The JSON shape the console reads. */
export interface TableSchemaFile {
  tables: Array<{
    name: string;
    description: string;
    columns: Array<{ name: string; type: string; required: boolean }>;
  }>;
}

/** Build the schema file's content from the declarations. */
export function tableSchema(): TableSchemaFile {
  return {
    tables: loadDeclarations().map((t) => ({
      name: t.name,
      description: t.description,
      columns: t.columns.map((c) => ({ name: c.name, type: c.type, required: c.required })),
    })),
  };
}

/** Vite plugin: serve the schema in dev, emit it as an asset in the build. */
export function tableSchemaPlugin(): Plugin {
  return {
    name: 'vigil-table-schema',
    configureServer(server) {
      server.middlewares.use('/table-schema.json', (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(tableSchema()));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'table-schema.json', source: JSON.stringify(tableSchema()) });
    },
  };
}
