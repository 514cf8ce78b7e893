/** A small REST client for benchmarks: bearer token, CA pinned, JSON in and out, one keep-alive pool. */
import { Agent, request } from 'undici';

/** A benchmark's view of the REST API. */
export interface BenchApi {
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }>;
  /** Count devices of a listing query by paging through it (the API has no total). */
  countDevices(query: string): Promise<number>;
  close(): Promise<void>;
}

/** A client of the server at `url` (https://…) that trusts `caPem` and sends `token`. */
export function benchApi(url: string, caPem: string, token: string): BenchApi {
  const dispatcher = new Agent({ connect: { ca: caPem }, connections: 4 });
  const call: BenchApi['call'] = async (method, path, body) => {
    const res = await request(`${url}${path}`, {
      method,
      dispatcher,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : null };
  };
  return {
    call,
    async countDevices(query) {
      let n = 0;
      let cursor: string | null = null;
      for (let page = 0; page < 10_000; page++) {
        const res = await call(
          'GET',
          `/api/v1/devices?limit=500&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        if (res.status !== 200)
          throw new Error(`device listing answered ${res.status}: ${JSON.stringify(res.body)}`);
        n += res.body.items.length;
        cursor = res.body.next_cursor;
        if (!cursor) break;
      }
      return n;
    },
    close: () => dispatcher.close(),
  };
}
