/**
 * The REST client: one undici Agent per server that trusts exactly the pinned CA (or the system
 * store when nothing is pinned), Bearer authentication, and `{ error: { code, message } }`
 * answers turned back into VigilErrors.
 */

import type { Readable } from 'node:stream';
import { type ErrorCode, isErrorCode, VigilError } from '@vigil/protocol';
import { Agent, fetch, request as undiciRequest } from 'undici';
import { networkError } from './network-errors.js';

/** How to reach and authenticate to one server. */
export interface ApiClientOptions {
  /** The server origin, e.g. `https://127.0.0.1:8443`. */
  server: string;
  /** PEM of the CA to trust instead of the system store. */
  caPem?: string | null;
  /** An API token, sent as `Authorization: Bearer`. */
  token?: string | null;
  /** Skip certificate verification: only for fetching the CA certificate that is then pinned. */
  insecureSkipVerify?: boolean;
}

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** One request's extras. */
export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A successful answer: status, parsed body and headers. */
export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

const CONNECT_TIMEOUT_MS = 10_000;
const RESPONSE_TIMEOUT_MS = 60_000;

/** Talks to one Vigil server. Call close() when done so keep-alive sockets do not hold the process. */
export class ApiClient {
  readonly server: string;
  private readonly token: string | null;
  private readonly dispatcher: Agent;

  constructor(options: ApiClientOptions) {
    this.server = options.server;
    this.token = options.token ?? null;
    this.dispatcher = new Agent({
      connectTimeout: CONNECT_TIMEOUT_MS,
      headersTimeout: RESPONSE_TIMEOUT_MS,
      bodyTimeout: RESPONSE_TIMEOUT_MS,
      connect: options.insecureSkipVerify
        ? { rejectUnauthorized: false }
        : options.caPem
          ? { ca: options.caPem }
          : {},
    });
  }

  /** Send a request; non-2xx answers throw the server's error code and message. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Awaited<ReturnType<typeof fetch>>;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body, dispatcher: this.dispatcher, redirect: 'error' });
      text = await response.text();
    } catch (error) {
      throw networkError(error, this.server);
    }
    const parsed = parseBody(text, response.headers.get('content-type'));
    if (!response.ok) throw errorFromAnswer(response.status, parsed, `${method} ${url.pathname}`);
    return { status: response.status, body: parsed as T, headers: response.headers as unknown as Headers };
  }

  /** GET and return the body. */
  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body;
  }

  /** POST a JSON body and return the answer's body. */
  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('POST', path, { body })).body;
  }

  /** PATCH a JSON body and return the answer's body. */
  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, { body })).body;
  }

  /** DELETE (with an optional JSON body) and return the answer's body. */
  async delete<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>('DELETE', path, body === undefined ? {} : { body })).body;
  }

  /**
   * POST raw bytes streamed from `body` (a file), with their length and content type; the answer
   * is JSON. Nothing is buffered, so files of any size the server accepts can be sent.
   */
  async upload<T>(
    path: string,
    body: Readable,
    options: { size: number; contentType: string; query?: Query },
  ): Promise<{ status: number; body: T }> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': options.contentType,
      'content-length': String(options.size),
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let status: number;
    let text: string;
    let contentType: string | null;
    try {
      const response = await undiciRequest(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.dispatcher,
      });
      status = response.statusCode;
      contentType = String(response.headers['content-type'] ?? '') || null;
      text = await response.body.text();
    } catch (error) {
      throw networkError(error, this.server);
    }
    const parsed = parseBody(text, contentType);
    if (status < 200 || status >= 300) throw errorFromAnswer(status, parsed, `POST ${url.pathname}`);
    return { status, body: parsed as T };
  }

  /**
   * Follow a server-sent event stream, calling `onEvent` for each event until the server ends
   * the stream or `onEvent` returns true (stop).
   */
  async streamEvents(
    path: string,
    onEvent: (event: string, data: unknown) => boolean | undefined,
  ): Promise<void> {
    const url = new URL(path, this.server);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(url, { headers, dispatcher: this.dispatcher, redirect: 'error' });
    } catch (error) {
      throw networkError(error, this.server);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw errorFromAnswer(
        response.status,
        parseBody(text, response.headers.get('content-type')),
        `GET ${url.pathname}`,
      );
    }
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data !== undefined && onEvent(event, JSON.parse(data) as unknown) === true) return;
        end = buffer.indexOf('\n\n');
      }
    }
  }

  /** Close idle connections. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!contentType?.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The VigilError an error answer carries; answers without one (a proxy page) still get a code. */
export function errorFromAnswer(status: number, body: unknown, what: string): VigilError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `${what} answered HTTP ${status}`;
  if (isErrorCode(error?.code)) return new VigilError(error.code, message);
  const fallback: ErrorCode =
    status === 401
      ? 'E_UNAUTHENTICATED'
      : status === 403
        ? 'E_FORBIDDEN'
        : status === 404
          ? 'E_NOT_FOUND'
          : status < 500
            ? 'E_BAD_REQUEST'
            : 'E_INTERNAL';
  const code = typeof error?.code === 'string' ? ` (${error.code})` : '';
  return new VigilError(fallback, `${message}${code}`);
}
