/**
 * What a full client owns besides its runner: the helpers made for it (its shared event stream,
 * the turn lines of its sessions' prompts), made once on first use and closed with the client.
 * One per client (`oc.helpers`), so what a client holds is visible from the client; it knows no
 * helper, so it imports nothing and nothing imports back.
 */

/**
 * The helpers of one client, by key.
 *
 * @example
 * ```ts
 * const registry = new HelperRegistry();
 * const lines = registry.shared(KEY, () => new Map<string, Promise<void>>());
 * await registry.close();
 * ```
 */
export class HelperRegistry {
  readonly #helpers = new Map<object | symbol, unknown>();
  readonly #closers: (() => void | Promise<void>)[] = [];
  #closing: Promise<void> | undefined;

  /**
   * The helper under `key`, made with `make` (and `close` registered) on first use. After the
   * registry closed, a new helper is still made but closed at once.
   */
  shared<T>(key: object | symbol, make: () => T, close?: (helper: T) => void | Promise<void>): T {
    if (this.#helpers.has(key)) return this.#helpers.get(key) as T;
    const helper = make();
    this.#helpers.set(key, helper);
    if (close) this.onClose(() => close(helper));
    return helper;
  }

  /** Runs `fn` when the registry closes (at once, when it closed already). */
  onClose(fn: () => void | Promise<void>): void {
    if (this.#closing) void settle(fn);
    else this.#closers.push(fn);
  }

  /** Runs every closer once, in order of registration; resolves when all of them did (never rejects). */
  close(): Promise<void> {
    this.#closing ??= Promise.all(this.#closers.splice(0).map(settle)).then(() => {});
    return this.#closing;
  }
}

/** A closer's end, whatever it did: a helper that fails to close must not keep the others open. */
async function settle(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    /* ignored: nothing to report a teardown failure to */
  }
}
