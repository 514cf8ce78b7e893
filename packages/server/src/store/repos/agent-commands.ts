/** Commands queued for devices and their results; also the idempotency record of agent messages. */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../ids.js';
import type { AgentCommandsTable, Database } from '../schema.js';

export type AgentCommandRow = Selectable<AgentCommandsTable>;

/** SQL for the command queue and message de-duplication. */
export class AgentCommandsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Queue commands (one row per device). */
  async enqueue(rows: AgentCommandRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      await this.db
        .insertInto('agent_commands')
        .values(rows.slice(i, i + 200))
        .execute();
    }
  }

  /** Undelivered, unexpired commands of a device, oldest first. */
  async pending(deviceId: string, limit = 100, now: Date = new Date()): Promise<AgentCommandRow[]> {
    return this.db
      .selectFrom('agent_commands')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('delivered_at', 'is', null)
      .where('expires_at', '>', nowIso(now))
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** Mark one command delivered to these devices. */
  async markDelivered(commandId: string, deviceIds: string[]): Promise<void> {
    for (let i = 0; i < deviceIds.length; i += 500) {
      const chunk = deviceIds.slice(i, i + 500);
      await this.db
        .updateTable('agent_commands')
        .set({ delivered_at: nowIso() })
        .where('id', '=', commandId)
        .where('device_id', 'in', chunk)
        .execute();
    }
  }

  /** Mark these commands of one device delivered. */
  async markDeliveredIds(deviceId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('agent_commands')
      .set({ delivered_at: nowIso() })
      .where('device_id', '=', deviceId)
      .where('id', 'in', ids)
      .execute();
  }

  /** Store a command's result (first result wins; a re-delivered result changes nothing). */
  async complete(deviceId: string, id: string, ok: boolean, result: unknown): Promise<void> {
    await this.db
      .updateTable('agent_commands')
      .set({ completed_at: nowIso(), ok: ok ? 1 : 0, result: JSON.stringify(result ?? null) })
      .where('device_id', '=', deviceId)
      .where('id', '=', id)
      .where('completed_at', 'is', null)
      .execute();
  }

  /** One command row. */
  async get(deviceId: string, id: string): Promise<AgentCommandRow | undefined> {
    return this.db
      .selectFrom('agent_commands')
      .selectAll()
      .where('device_id', '=', deviceId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
