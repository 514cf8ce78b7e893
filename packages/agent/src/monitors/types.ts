/** What every monitor produces and what it is given. */
import type { MonitorNameT } from '@vigil/protocol';

/** One thing a monitor saw: fields the rules match on, a one-line summary, and the full context. */
export interface MonitorEvent {
  monitor: MonitorNameT;
  /** When it was seen, ms since the epoch. */
  at: number;
  /** Flat (or shallow) fields the rules' conditions and keys read, e.g. `type`, `source_ip`, `path`. */
  fields: Record<string, unknown>;
  /** One line for alert titles: `/etc/passwd modified`, `10.0.0.7 (root)`. */
  summary: string;
  /** Process tree, file details and diff, network peer, the raw log line… */
  context: Record<string, unknown>;
}

/** Where a monitor hands its events. */
export type EventSink = (event: MonitorEvent) => void;

/** A monitor's life cycle; each one also reports what it watches for the status and the docs. */
export interface Monitor {
  readonly name: MonitorNameT;
  start(): Promise<void>;
  stop(): Promise<void>;
}
