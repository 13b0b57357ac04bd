/**
 * What a server has stored after the events it sent: messages with their parts, pending permission
 * requests and session status. Pure: events in, state out. The mock answers the read routes
 * (`GET /session/{id}/message`, `GET /permission`, `GET /session/status`) from it, so a client that
 * reconciles after a dropped connection reads what the stream said.
 */
import type { ServerEvent } from "./scripted-answer.js";

type Info = Record<string, unknown> & { id: string };
type Part = Record<string, unknown> & { id: string; messageID: string };

/** A stored message as `GET /session/{id}/message` returns it. */
export interface StoredMessage {
  info: Info;
  parts: Part[];
}

/**
 * Stored state of the sessions a mock's events touched.
 *
 * @example
 * ```ts
 * const store = new ConversationStore();
 * for (const e of events) store.apply(e);
 * console.log(store.messages("ses_1").length);
 * ```
 */
export class ConversationStore {
  readonly #messages = new Map<string, Map<string, StoredMessage>>();
  readonly #permissions = new Map<string, Record<string, unknown>>();
  readonly #status = new Map<string, Record<string, unknown>>();

  /** Applies one event as the server would have stored it. */
  apply(event: ServerEvent): void {
    const p = event.properties;
    const sessionID = String(p.sessionID ?? "");
    switch (event.type) {
      case "message.updated": {
        const info = p.info as Info;
        const message = this.#message(sessionID, info.id);
        message.info = info;
        return;
      }
      case "message.part.updated": {
        const part = p.part as Part;
        const message = this.#message(sessionID, part.messageID);
        const i = message.parts.findIndex((x) => x.id === part.id);
        if (i >= 0) message.parts[i] = part;
        else message.parts.push(part);
        return;
      }
      case "message.part.delta": {
        const part = this.#message(sessionID, String(p.messageID)).parts.find((x) => x.id === p.partID);
        const field = String(p.field);
        if (part) part[field] = `${(part[field] as string | undefined) ?? ""}${String(p.delta)}`;
        return;
      }
      case "permission.asked":
        this.#permissions.set(String(p.id), p);
        return;
      case "permission.replied":
        this.#permissions.delete(String(p.requestID));
        return;
      case "session.status":
        this.#status.set(sessionID, p.status as Record<string, unknown>);
        return;
    }
  }

  /** Whether any event of this session was applied. */
  has(sessionID: string): boolean {
    return this.#messages.has(sessionID) || this.#status.has(sessionID);
  }

  /** The session's messages in id order (ids ascend in time). */
  messages(sessionID: string): StoredMessage[] {
    const all = [...(this.#messages.get(sessionID)?.values() ?? [])].filter((m) => m.info.role !== undefined);
    return all.sort((a, b) => (a.info.id < b.info.id ? -1 : a.info.id > b.info.id ? 1 : 0));
  }

  /** One stored message, if any. */
  message(sessionID: string, messageID: string): StoredMessage | undefined {
    const m = this.#messages.get(sessionID)?.get(messageID);
    return m && m.info.role !== undefined ? m : undefined;
  }

  /** Permission requests asked and not yet replied. */
  pendingPermissions(): Record<string, unknown>[] {
    return [...this.#permissions.values()];
  }

  /** Status of every session that is not idle, as `GET /session/status` answers. */
  statuses(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [id, status] of this.#status) if (status.type !== "idle") out[id] = status;
    return out;
  }

  #message(sessionID: string, messageID: string): StoredMessage {
    let session = this.#messages.get(sessionID);
    if (!session) {
      session = new Map();
      this.#messages.set(sessionID, session);
    }
    let message = session.get(messageID);
    if (!message) {
      message = { info: { id: messageID }, parts: [] };
      session.set(messageID, message);
    }
    return message;
  }
}
