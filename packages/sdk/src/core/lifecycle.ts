/**
 * What helpers made for a full client (its event stream, and through it prompts and permission
 * policies) share with it: the client's `events` option, and release when it closes. Kept out of
 * the core, so a single-operation bundle carries none of it.
 */
import type { EventStreamOptions } from "../events/stream.js";

const closers = new WeakMap<object, Set<() => void>>();
const eventOptions = new WeakMap<object, EventStreamOptions>();

/** @internal Runs `fn` when `owner` (a client) is closed; helpers made for a client release with it. */
export function onClose(owner: object, fn: () => void): void {
  const set = closers.get(owner) ?? new Set();
  closers.set(owner, set.add(fn));
}

/** @internal Runs (once) what was registered with {@link onClose} for `owner`. */
export function closeHelpers(owner: object): void {
  for (const fn of closers.get(owner) ?? []) fn();
  closers.delete(owner);
}

/** @internal Remembers the `events` option a client was created with. */
export function setEventOptions(owner: object, options: EventStreamOptions | undefined): void {
  if (options) eventOptions.set(owner, options);
}

/** @internal The `events` option a client was created with. */
export const eventOptionsOf = (owner: object): EventStreamOptions | undefined => eventOptions.get(owner);
