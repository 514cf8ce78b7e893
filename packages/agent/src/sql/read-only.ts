import { VigilError } from '@vigil/protocol/agent-runtime';
import { isKeyword, isOp, tokenize } from './tokenize.js';

/** Statement keywords that never start a plain read (anything else unknown is left to SQLite's parser). */
const REFUSED = [
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'UPSERT',
  'CREATE',
  'DROP',
  'ALTER',
  'ATTACH',
  'DETACH',
  'PRAGMA',
  'VACUUM',
  'REINDEX',
  'ANALYZE',
  'BEGIN',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'EXPLAIN',
];

/**
 * Refuses, before SQLite sees it, anything but one SELECT/WITH statement: writes, schema changes,
 * ATTACH/DETACH, PRAGMA, VACUUM, extension loading and stacked statements. `assertReadOnlyPrepared`
 * then double-checks with SQLite's own verdict on the prepared statement.
 */
export function assertReadOnlyText(sql: string): void {
  const tokens = tokenize(sql);
  const first = tokens[0];
  if (first === undefined || isOp(first, ';')) throw new VigilError('E_INVALID_SQL', 'the query is empty');
  const semicolon = tokens.findIndex((t) => isOp(t, ';'));
  if (semicolon !== -1 && tokens.slice(semicolon).some((t) => !isOp(t, ';'))) {
    throw new VigilError(
      'E_QUERY_NOT_READ_ONLY',
      'a query must be a single statement; stacked statements are refused',
    );
  }
  if (isKeyword(first, ...REFUSED)) {
    throw new VigilError(
      'E_QUERY_NOT_READ_ONLY',
      `only read-only SELECT queries are allowed; ${first.value.toUpperCase()} is refused`,
    );
  }
  const write = tokens.find(
    (t, i) => isKeyword(t, 'INSERT', 'UPDATE', 'DELETE', 'REPLACE') && !isOp(tokens[i + 1], '('),
  );
  if (write !== undefined) {
    throw new VigilError(
      'E_QUERY_NOT_READ_ONLY',
      `only read-only SELECT queries are allowed; ${write.value.toUpperCase()} is refused`,
    );
  }
  const loader = tokens.findIndex(
    (t, i) => t.kind === 'ident' && /^load_extension$/i.test(t.value) && isOp(tokens[i + 1], '('),
  );
  if (loader !== -1) throw new VigilError('E_QUERY_NOT_READ_ONLY', 'load_extension is refused');
}

/** Refuses a prepared statement that SQLite says could write, returns no rows, or is not a SELECT/WITH/VALUES. */
export function assertReadOnlyPrepared(stmt: { readonly: boolean; reader: boolean; source: string }): void {
  if (!stmt.readonly || !stmt.reader || !isKeyword(tokenize(stmt.source)[0], 'SELECT', 'WITH', 'VALUES')) {
    throw new VigilError('E_QUERY_NOT_READ_ONLY', 'only read-only SELECT queries are allowed');
  }
}
