import { existsIn, listDir, readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { fields, parseStanzas } from './parse-helpers.js';

const LISTS = '/var/lib/apt/lists';

/** One binary ("deb") repository entry, whichever file format declared it. */
export interface AptEntry {
  baseUri: string;
  suite: string;
  components: string[];
  architectures: string[];
}

function trimSlashes(uri: string): string {
  return uri.replace(/\/+$/, '');
}

/** Parses one-line-style sources (`deb [arch=amd64 signed-by=…] uri suite components…`); deb-src lines are skipped. */
export function parseOneLineSources(text: string): AptEntry[] {
  const out: AptEntry[] = [];
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    let tokens = fields(hash === -1 ? raw : raw.slice(0, hash));
    if (tokens[0] !== 'deb') continue;
    tokens = tokens.slice(1);
    let architectures: string[] = [];
    if (tokens[0]?.startsWith('[')) {
      const close = tokens.findIndex((t) => t.endsWith(']'));
      const options = tokens
        .slice(0, close + 1)
        .join(' ')
        .replace(/^\[|\]$/g, '');
      const arch = fields(options).find((o) => o.startsWith('arch='));
      if (arch !== undefined) architectures = arch.slice('arch='.length).split(',');
      tokens = tokens.slice(close + 1);
    }
    const [uri, suite, ...components] = tokens;
    if (uri === undefined || suite === undefined || !uri.includes('://')) continue;
    out.push({ baseUri: trimSlashes(uri), suite, components, architectures });
  }
  return out;
}

/** Parses deb822 `.sources` stanzas (Types/URIs/Suites/Components/Architectures/Enabled). */
export function parseDeb822Sources(text: string): AptEntry[] {
  const out: AptEntry[] = [];
  for (const stanza of parseStanzas(text)) {
    const get = (key: string) => {
      for (const [k, v] of stanza) if (k.toLowerCase() === key) return v;
      return '';
    };
    if (!fields(get('types')).includes('deb') || get('enabled').toLowerCase() === 'no') continue;
    const suites = fields(get('suites'));
    for (const uri of fields(get('uris')).filter((u) => u.includes('://'))) {
      for (const suite of suites) {
        out.push({
          baseUri: trimSlashes(uri),
          suite,
          components: fields(get('components')),
          architectures: fields(get('architectures')),
        });
      }
    }
  }
  return out;
}

/** apt's list-file prefix for a repository: uri without scheme, then dists/suite, "/" turned into "_". */
function cachePrefix(entry: AptEntry): string {
  const host = entry.baseUri.slice(entry.baseUri.indexOf('://') + 3);
  const path = entry.suite.endsWith('/') ? `${host}/${entry.suite}` : `${host}/dists/${entry.suite}`;
  return path.replace(/\/+$/, '').replaceAll('/', '_');
}

/** The Release (or InRelease) header fields apt downloaded for a repository; empty if never updated. */
function releaseFields(ctx: TableContext, entry: AptEntry, lists: string[]): Map<string, string> {
  const prefix = cachePrefix(entry);
  const file = lists.find((f) => f === `${prefix}_InRelease`) ?? lists.find((f) => f === `${prefix}_Release`);
  if (file === undefined) return new Map();
  const text = (readText(ctx, `${LISTS}/${file}`) ?? '').replace(
    /^-----BEGIN PGP SIGNED MESSAGE-----\n(Hash:.*\n)*\n/,
    '',
  );
  return parseStanzas(text.split('-----BEGIN PGP SIGNATURE-----')[0] ?? '')[0] ?? new Map();
}

function toRow(ctx: TableContext, source: string, entry: AptEntry, lists: string[]): Row {
  const release = releaseFields(ctx, entry, lists);
  const host = entry.baseUri.slice(entry.baseUri.indexOf('://') + 3);
  return {
    name: `${host} ${entry.suite}`,
    source,
    base_uri: entry.baseUri,
    release: release.get('Codename') ?? null,
    version: release.get('Version') ?? null,
    maintainer: release.get('Origin') ?? null,
    components: release.get('Components') ?? entry.components.join(' '),
    architectures: release.get('Architectures') ?? entry.architectures.join(' '),
  };
}

/** apt_sources: binary repositories configured for APT, with what their downloaded Release file says. */
export const aptSources: TableCollector = {
  name: 'apt_sources',
  *collect(ctx) {
    if (!existsIn(ctx, '/etc/apt')) {
      ctx.warn('no /etc/apt (not an APT-based system)');
      return;
    }
    const lists = listDir(ctx, LISTS);
    const dir = '/etc/apt/sources.list.d';
    const oneLine = [
      '/etc/apt/sources.list',
      ...listDir(ctx, dir)
        .filter((f) => f.endsWith('.list'))
        .map((f) => `${dir}/${f}`),
    ];
    for (const source of oneLine) {
      const text = readText(ctx, source);
      if (text !== null) for (const e of parseOneLineSources(text)) yield toRow(ctx, source, e, lists);
    }
    for (const file of listDir(ctx, dir).filter((f) => f.endsWith('.sources'))) {
      const text = readText(ctx, `${dir}/${file}`);
      if (text !== null)
        for (const e of parseDeb822Sources(text)) yield toRow(ctx, `${dir}/${file}`, e, lists);
    }
  },
};
