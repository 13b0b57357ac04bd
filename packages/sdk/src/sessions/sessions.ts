/**
 * Session helpers: `new Sessions(oc)` creates, lists and gets {@link Session} handles, each bound to
 * one session id, with every session operation one call away and `prompt()` streaming its answer.
 * Stateless: what must be one per client (the turn queue of prompts, the event connection) is kept
 * per client, so any number of `new Sessions(oc)` of one client share it.
 */
import type { Session as SessionInfo, Todo } from "@ocsdk/client";
import type { OpencodeClient, OperationArgs, OperationData, OperationId } from "../client.js";
import { EventStream, type StreamEvent, type SubscribeOptions } from "../events/stream.js";
import { type AppliedPermissionPolicy, applyPermissionPolicy, type PermissionPolicy } from "../permissions/policy.js";
import { type MessageWithParts, type PromptHandle, type PromptInput, type PromptOptions, startPrompt } from "../prompt/handle.js";
import { newMessageId } from "../prompt/ids.js";

type Body<Id extends OperationId> = OperationArgs<Id> extends { body?: infer B } ? NonNullable<B> : never;

/** Options of {@link Sessions.create}: the spec's create body. */
export type CreateSessionOptions = Body<"session.create">;

/**
 * Entry point of the session helpers, made for a client.
 *
 * @example
 * ```ts
 * const sessions = new Sessions(oc);
 * const session = await sessions.create({ title: "refactor" });
 * const all = await sessions.list();
 * ```
 */
export class Sessions {
  constructor(private readonly oc: OpencodeClient) {}

  /** Creates a session. @example `const s = await new Sessions(oc).create({ title: "x" });` */
  async create(options: CreateSessionOptions = {}): Promise<Session> {
    return new Session(this.oc, await this.oc.session.create({ body: options }));
  }

  /** All sessions (of the client's directory, if scoped). @example `for (const s of await sessions.list()) console.log(s.title);` */
  async list(query?: OperationArgs<"session.list">["query"]): Promise<Session[]> {
    const list = await this.oc.session.list(query ? { query } : undefined);
    return list.map((info) => new Session(this.oc, info));
  }

  /** One session by id; a missing one is a `NotFoundError`. @example `const s = await sessions.get("ses_…");` */
  async get(sessionID: string): Promise<Session> {
    return new Session(this.oc, await this.oc.session.get({ path: { sessionID } }));
  }
}

/**
 * One session. `info` is the last state this handle saw; `refresh()` reloads it.
 *
 * @example
 * ```ts
 * const run = session.prompt("Add a test for parseArgs");
 * for await (const e of run) if (e.type === "tool.completed") console.log(e.tool, e.input);
 * ```
 */
export class Session {
  #info: SessionInfo;

  constructor(
    private readonly oc: OpencodeClient,
    info: SessionInfo,
  ) {
    this.#info = info;
  }

  get id(): string {
    return this.#info.id;
  }
  get title(): string {
    return this.#info.title;
  }
  /** The session as last seen. */
  get info(): SessionInfo {
    return this.#info;
  }

  #path() {
    return { path: { sessionID: this.id } };
  }

  /** Reloads `info`. @example `await session.refresh();` */
  async refresh(): Promise<SessionInfo> {
    this.#info = await this.oc.session.get(this.#path());
    return this.#info;
  }

  /** Changes the title (or other updatable fields). @example `await session.update({ title: "new" });` */
  async update(body: Body<"session.update">): Promise<SessionInfo> {
    this.#info = await this.oc.session.update({ ...this.#path(), body });
    return this.#info;
  }

  /** Deletes the session. @example `await session.delete();` */
  async delete(): Promise<boolean> {
    return this.oc.session.delete(this.#path());
  }

  /** Sessions forked or spawned from this one. @example `const kids = await session.children();` */
  async children(): Promise<Session[]> {
    return (await this.oc.session.children(this.#path())).map((info) => new Session(this.oc, info));
  }

  /** Forks the session (up to `messageID`, if given). @example `const copy = await session.fork();` */
  async fork(messageID?: string): Promise<Session> {
    return new Session(this.oc, await this.oc.session.fork({ ...this.#path(), body: messageID ? { messageID } : {} }));
  }

  /** Shares the session (needs sharing enabled on the server). @example `const { share } = await session.share();` */
  async share(): Promise<SessionInfo> {
    this.#info = await this.oc.session.share(this.#path());
    return this.#info;
  }

  /** Stops sharing. @example `await session.unshare();` */
  async unshare(): Promise<SessionInfo> {
    this.#info = await this.oc.session.unshare(this.#path());
    return this.#info;
  }

  /** Reverts the session to before a message (or part). @example `await session.revert({ messageID });` */
  async revert(body: Body<"session.revert">): Promise<SessionInfo> {
    this.#info = await this.oc.session.revert({ ...this.#path(), body });
    return this.#info;
  }

  /** Undoes a revert. @example `await session.unrevert();` */
  async unrevert(): Promise<SessionInfo> {
    this.#info = await this.oc.session.unrevert(this.#path());
    return this.#info;
  }

  /** Compacts the conversation with a model. @example `await session.summarize({ providerID, modelID });` */
  async summarize(body: Body<"session.summarize">): Promise<boolean> {
    return this.oc.session.summarize({ ...this.#path(), body });
  }

  /** Messages with their parts, oldest first. @example `const msgs = await session.messages();` */
  async messages(): Promise<MessageWithParts[]> {
    return (await this.oc.session.messages(this.#path())) as MessageWithParts[];
  }

  /** The session's todo list. @example `const todos = await session.todo();` */
  async todo(): Promise<Todo[]> {
    return this.oc.session.todo(this.#path());
  }

  /** File changes made in the session. @example `const diffs = await session.diff();` */
  async diff(query?: OperationArgs<"session.diff">["query"]): Promise<OperationData<"session.diff">> {
    return this.oc.session.diff({ ...this.#path(), ...(query ? { query } : {}) });
  }

  /** Runs a slash command (e.g. `init`). @example `await session.command({ command: "init", arguments: "" });` */
  async command(body: Body<"session.command">): Promise<OperationData<"session.command">> {
    return this.oc.session.command({ ...this.#path(), body });
  }

  /** Runs a shell command in the session. @example `await session.shell({ agent: "build", command: "ls" });` */
  async shell(body: Body<"session.shell">): Promise<OperationData<"session.shell">> {
    return this.oc.session.shell({ ...this.#path(), body });
  }

  /**
   * Analyzes the project and writes AGENTS.md (the design guide's "app init").
   *
   * @example
   * ```ts
   * await session.init({ providerID: "anthropic", modelID: "claude-sonnet-4" });
   * ```
   */
  async init(model: { providerID: string; modelID: string }): Promise<boolean> {
    return this.oc.session.init({ ...this.#path(), body: { ...model, messageID: newMessageId() } });
  }

  /** Aborts whatever the session is doing. @example `await session.abort();` */
  async abort(): Promise<boolean> {
    return this.oc.session.abort(this.#path());
  }

  /**
   * Sends a prompt and returns its live handle (see {@link PromptHandle}).
   *
   * @example
   * ```ts
   * const text = await session.prompt("What does this repo do?", { agent: "plan" }).finalText();
   * ```
   */
  prompt(input: PromptInput, options?: PromptOptions): PromptHandle {
    return startPrompt(this.oc, this.id, input, options);
  }

  /**
   * Answers this session's permission requests by `policy` until closed.
   *
   * @example
   * ```ts
   * await using _policy = await session.applyPermissionPolicy({ allow: ["read"], deny: ["bash:rm *"] });
   * ```
   */
  applyPermissionPolicy(policy: PermissionPolicy, options: { signal?: AbortSignal } = {}): Promise<AppliedPermissionPolicy> {
    return applyPermissionPolicy(this.oc, policy, { ...options, sessionID: this.id });
  }

  /**
   * This session's events from the client's shared stream.
   *
   * @example
   * ```ts
   * for await (const e of session.events({ signal })) console.log(e.type);
   * ```
   */
  events(options: Omit<SubscribeOptions, "sessionID"> = {}): AsyncIterableIterator<StreamEvent> {
    return EventStream.of(this.oc).subscribe({ ...options, sessionID: this.id });
  }
}
