/**
 * One EventSource per tab on the console event stream (`/api/v1/events/stream`), shared by every
 * component that subscribes to a topic. It opens with the first subscriber, closes a little after
 * the last one leaves and while the tab is hidden (browsers allow few connections per server, and
 * a background tab needs no live updates), and reconnects after failures. After any gap the
 * subscribers are told to resync, since events sent meanwhile were missed.
 */

import type { ConsoleEventT, ConsoleEventType, ConsoleTopic } from '@vigil/protocol';
import { useSyncExternalStore } from 'react';

export type { ConsoleTopic };

/** Called with an event of a subscribed topic, or with null: resync, events may have been missed. */
export type LiveListener = (event: ConsoleEventT | null) => void;

/** The topic of every event type (the compiler insists a new type gets one). */
const TOPIC_OF: Record<ConsoleEventType, ConsoleTopic> = {
  'device.presence': 'devices',
  'device.enrolled': 'devices',
  'alert.raised': 'alerts',
  'alert.updated': 'alerts',
  'action.run': 'actions',
};

const STREAM_PATH = '/api/v1/events/stream';
/** Keep the stream a moment after the last subscriber left: moving between pages re-subscribes. */
const LINGER_MS = 10_000;
/** Waits before reopening a stream the server refused or ended (the browser retries the rest). */
const RETRY_MS = [2_000, 5_000, 15_000, 30_000];

interface Subscriber {
  topics: ReadonlySet<ConsoleTopic>;
  listener: LiveListener;
}

const subscribers = new Set<Subscriber>();
const connectedListeners = new Set<() => void>();
let source: EventSource | null = null;
let connected = false;
/** Whether an earlier stream of this tab was open: the next open is after a gap. */
let hadStream = false;
let lingerTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let watchingVisibility = false;

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const l of connectedListeners) l();
}

function dispatch(event: ConsoleEventT | null): void {
  const topic = event ? TOPIC_OF[event.type] : null;
  for (const s of [...subscribers]) if (topic === null || s.topics.has(topic)) s.listener(event);
}

function open(): void {
  if (source || subscribers.size === 0 || document.visibilityState !== 'visible') return;
  const es = new EventSource(STREAM_PATH);
  source = es;
  es.onopen = () => {
    failures = 0;
    setConnected(true);
    if (hadStream) dispatch(null);
    hadStream = true;
  };
  es.onerror = () => {
    setConnected(false);
    // CONNECTING: the browser reconnects by itself. CLOSED: it gave up (refused, logged out, a
    // proxy's error page); try again later ourselves, while anyone still listens.
    if (es.readyState !== EventSource.CLOSED) return;
    close();
    hadStream = true;
    const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] as number;
    failures += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, wait);
  };
  for (const type of Object.keys(TOPIC_OF) as ConsoleEventType[])
    es.addEventListener(type, (e) => {
      try {
        dispatch(JSON.parse((e as MessageEvent<string>).data) as ConsoleEventT);
      } catch {
        // A malformed event carries nothing to act on; the next one (or polling) catches up.
      }
    });
}

function close(): void {
  source?.close();
  source = null;
  setConnected(false);
}

function onVisibility(): void {
  if (document.visibilityState === 'visible') open();
  else if (source) {
    close();
    hadStream = true;
  }
}

/** Receive events of `topics` (and resync notices) until the returned function is called. */
export function subscribeLive(topics: readonly ConsoleTopic[], listener: LiveListener): () => void {
  const s: Subscriber = { topics: new Set(topics), listener };
  subscribers.add(s);
  clearTimeout(lingerTimer);
  if (!watchingVisibility) {
    document.addEventListener('visibilitychange', onVisibility);
    watchingVisibility = true;
  }
  open();
  return () => {
    subscribers.delete(s);
    if (subscribers.size > 0) return;
    clearTimeout(lingerTimer);
    lingerTimer = setTimeout(() => {
      if (subscribers.size > 0) return;
      clearTimeout(retryTimer);
      close();
      hadStream = false;
    }, LINGER_MS);
  };
}

function onConnectedChange(listener: () => void): () => void {
  connectedListeners.add(listener);
  return () => connectedListeners.delete(listener);
}

/** Whether the tab's event stream is open right now (polling is the fallback while it is not). */
export function useLiveConnected(): boolean {
  return useSyncExternalStore(
    onConnectedChange,
    () => connected,
    () => false,
  );
}
