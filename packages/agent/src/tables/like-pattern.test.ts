import { describe, expect, it } from 'vitest';
import { hintMatcher, likeRegExp } from './like-pattern.js';

describe('LIKE patterns in collectors', () => {
  it('matches % and _ as SQLite does, ignoring ASCII case, and treats other characters literally', () => {
    expect(likeRegExp('/usr/bin/%').test('/usr/bin/ls')).toBe(true);
    expect(likeRegExp('/usr/bin/%').test('/USR/BIN/ls')).toBe(true);
    expect(likeRegExp('/usr/bin/%').test('/usr/sbin/ls')).toBe(false);
    expect(likeRegExp('a_c').test('abc')).toBe(true);
    expect(likeRegExp('a_c').test('abbc')).toBe(false);
    expect(likeRegExp('a.c').test('abc')).toBe(false);
    expect(likeRegExp('(x)+').test('(x)+')).toBe(true);
    expect(likeRegExp('%\n%').test('line\nbreak')).toBe(true);
  });

  it('passes everything without hints, else what equals (exactly) or matches a pattern', () => {
    expect(hintMatcher(undefined, undefined)('anything')).toBe(true);
    const want = hintMatcher(['/etc/passwd'], ['/etc/ssh/%']);
    expect(want('/etc/passwd')).toBe(true);
    expect(want('/ETC/PASSWD')).toBe(false);
    expect(want('/etc/ssh/sshd_config')).toBe(true);
    expect(want('/etc/shadow')).toBe(false);
    expect(hintMatcher([], undefined)('x')).toBe(false);
  });
});
