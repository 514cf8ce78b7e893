/**
 * RFC 5424 syslog messages, formatted by hand (it is a text format):
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID param="value" …] BOM MSG
 * Structured data uses the SD-ID `vigil@32473` (32473 is the private enterprise number RFC 5612
 * reserves for documentation; Vigil has none of its own).
 */

/** The structured-data id of Vigil's parameters. */
export const SD_ID = 'vigil@32473';

/** Facility codes (RFC 5424 table 1). */
export const FACILITY_CODES: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  'solaris-cron': 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

/** Alert severity → syslog severity (2 crit, 3 err, 4 warning, 5 notice, 6 info). */
export const SYSLOG_SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/** One message's fields. */
export interface SyslogFields {
  facility: string;
  severity: string;
  timestamp: string;
  hostname: string;
  appName: string;
  msgId: string;
  params: Record<string, string | number | null | undefined>;
  msg: string;
}

/** PRINTUSASCII without space, at most `max` characters, or the NILVALUE. */
function header(value: string, max: number): string {
  const clean = value.replace(/[^!-~]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** A PARAM-VALUE with `"`, `\` and `]` escaped (RFC 5424 §6.3.3). */
export function escapeParam(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/** Format one message (without transport framing). */
export function formatRfc5424(f: SyslogFields): string {
  const pri = (FACILITY_CODES[f.facility] ?? 16) * 8 + (SYSLOG_SEVERITY[f.severity] ?? 5);
  const params = Object.entries(f.params)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${header(k, 32)}="${escapeParam(String(v))}"`)
    .join('');
  const sd = params ? `[${SD_ID}${params}]` : '-';
  return `<${pri}>1 ${f.timestamp} ${header(f.hostname, 255)} ${header(f.appName, 48)} - ${header(f.msgId, 32)} ${sd} \uFEFF${f.msg}`;
}

/** Cut a message to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so a character is never cut in half.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end -= 1;
  return buf.subarray(0, end).toString('utf8');
}
