import { isIPv6 } from 'node:net';
import { readText } from '../fs-helpers.js';
import type { Row, TableCollector } from '../types.js';
import { contentLines, fields } from './parse-helpers.js';

/** glibc <resolv.h> RES_* bits that resolv.conf `options` switch on (RES_INIT|RES_RECURSE|RES_DEFNAMES|RES_DNSRCH by default). */
const RES_DEFAULT = 0x1 | 0x40 | 0x80 | 0x200;
const OPTION_BITS: Record<string, number> = {
  debug: 0x2,
  'use-vc': 0x8,
  inet6: 0x2000,
  rotate: 0x4000,
  'no-check-names': 0x8000,
  edns0: 0x100000,
  'single-request': 0x200000,
  'single-request-reopen': 0x400000,
  'no-tld-query': 0x1000000,
  'no-reload': 0x2000000,
  'trust-ad': 0x4000000,
  'no-aaaa': 0x8000000,
};

/** dns_resolvers: name servers, search domains and sort list from /etc/resolv.conf, each with the options mask. */
export const dnsResolvers: TableCollector = {
  name: 'dns_resolvers',
  *collect(ctx) {
    const text = readText(ctx, '/etc/resolv.conf');
    if (text === null) {
      ctx.warn('/etc/resolv.conf is not present');
      return;
    }
    const lines = contentLines(text.replace(/^\s*;.*$/gm, ''));
    let options = RES_DEFAULT;
    for (const line of lines) {
      const [keyword, ...args] = fields(line);
      if (keyword !== 'options') continue;
      for (const arg of args) options |= OPTION_BITS[arg] ?? 0;
    }
    const rows: Row[] = [];
    let nameservers = 0;
    let searchDomains = 0;
    let sortlist = 0;
    for (const line of lines) {
      const [keyword, ...args] = fields(line);
      if (keyword === 'nameserver' && args[0] !== undefined) {
        const address = args[0];
        rows.push({
          id: nameservers++,
          type: 'nameserver',
          address,
          netmask: isIPv6(address) ? '128' : '32',
          options,
        });
      } else if (keyword === 'search' || keyword === 'domain') {
        // A later search/domain line replaces the earlier ones (resolv.conf(5)).
        for (let i = rows.length - 1; i >= 0; i--) if (rows[i]?.type === 'search') rows.splice(i, 1);
        searchDomains = 0;
        for (const domain of args)
          rows.push({ id: searchDomains++, type: 'search', address: domain, netmask: null, options });
      } else if (keyword === 'sortlist') {
        for (const pair of args) {
          const [address, netmask] = pair.split('/');
          rows.push({
            id: sortlist++,
            type: 'sortlist',
            address: address ?? null,
            netmask: netmask ?? null,
            options,
          });
        }
      }
    }
    yield* rows;
  },
};
