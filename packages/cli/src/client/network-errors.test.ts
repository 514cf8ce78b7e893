import { VigilError } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { errorFromAnswer } from './api-client.js';
import { networkError } from './network-errors.js';

function fetchFailure(cause: unknown): Error {
  return new TypeError('fetch failed', { cause });
}

describe('networkError', () => {
  it('maps refused and timed-out connections to E_UNREACHABLE', () => {
    const refused = networkError(
      fetchFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      'https://h:1',
    );
    expect(refused.code).toBe('E_UNREACHABLE');
    expect(refused.message).toContain('(ECONNREFUSED)');
    const both = networkError(
      fetchFailure(new AggregateError([Object.assign(new Error('x'), { code: 'ETIMEDOUT' })])),
      'https://h:1',
    );
    expect(both.code).toBe('E_UNREACHABLE');
  });

  it('maps certificate failures to E_TLS with a hint', () => {
    const untrusted = networkError(
      fetchFailure(Object.assign(new Error('self-signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })),
      'https://h:1',
    );
    expect(untrusted.code).toBe('E_TLS');
    expect(untrusted.message).toContain('--ca-fingerprint');
    const name = networkError(
      fetchFailure(Object.assign(new Error('altname'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })),
      'https://h:1',
    );
    expect(name.message).toContain('not valid for this host name');
    expect(
      networkError(
        fetchFailure(Object.assign(new Error('v'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' })),
        'https://h:1',
      ).code,
    ).toBe('E_TLS');
  });

  it('keeps VigilErrors as they are', () => {
    const e = new VigilError('E_FORBIDDEN', 'no');
    expect(networkError(e, 'https://h:1')).toBe(e);
  });
});

describe('errorFromAnswer', () => {
  it('keeps the code and message of a Vigil error answer', () => {
    const e = errorFromAnswer(
      404,
      { error: { code: 'E_GROUP_NOT_FOUND', message: "no group 'x'" } },
      'GET /x',
    );
    expect([e.code, e.message]).toEqual(['E_GROUP_NOT_FOUND', "no group 'x'"]);
  });

  it('gives answers without a known code a code from the status', () => {
    expect(errorFromAnswer(401, 'Unauthorized', 'GET /x').code).toBe('E_UNAUTHENTICATED');
    const odd = errorFromAnswer(400, { error: { code: 'E_FROM_THE_FUTURE', message: 'new' } }, 'GET /x');
    expect([odd.code, odd.message]).toEqual(['E_BAD_REQUEST', 'new (E_FROM_THE_FUTURE)']);
    expect(errorFromAnswer(502, '<html>', 'GET /x').message).toBe('GET /x answered HTTP 502');
  });
});
