// Symbol.dispose / AsyncDisposable in our .d.ts: a consumer on lib ES2022 without @types/node gets them too.
/// <reference lib="esnext.disposable" preserve="true" />
/**
 * Declarative permission policy: answer opencode's permission requests (a tool wants to run a
 * command, edit a file …) by allow / deny / ask rules, automatically, for a client or a session.
 * Nothing is allowed unless a rule says so.
 */
import type { PermissionRequest } from "@ocsdk/client";
import type { OpencodeClient } from "../client.js";
import { EventStream } from "../events/stream.js";

/** How a request was answered. */
export type PermissionReply = "once" | "always" | "reject";

/**
 * Rules are `tool` or `tool:pattern` with `*` wildcards, matched against the request's permission
 * (`bash`, `edit`, `read`, `webfetch` …) and each of its patterns (the command, the file path; a
 * compound command has one per command). Each pattern is decided on its own: deny, else allow, else
 * ask, else `fallback`. One denied pattern denies the request; it is allowed only when every pattern
 * is; otherwise it is asked.
 *
 * The design guide's settings map as: `allowed_commands: ["git status"]` → `allow: ["bash:git status"]`,
 * `blocked_commands: ["rm -rf"]` → `deny: ["bash:rm -rf*"]`, `require_confirmation: true` →
 * `ask: ["*"]` with `onAsk`.
 */
export interface PermissionPolicy {
  allow?: readonly string[];
  deny?: readonly string[];
  ask?: readonly string[];
  /** Decides requests matched by `ask` (and unmatched ones when `fallback` is `"ask"`). true = once. */
  onAsk?: (request: PermissionRequest) => boolean | PermissionReply | Promise<boolean | PermissionReply>;
  /** For requests no rule matches: `"deny"` (default) or `"ask"`. */
  fallback?: "deny" | "ask";
}

/** A decision the policy made. */
export interface PermissionDecision {
  request: PermissionRequest;
  verdict: "allow" | "deny" | "ask";
  reply: PermissionReply;
  /** The rule that decided, or `fallback`. */
  rule: string;
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split("*")
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "s");
}

function ruleMatches(rule: string, permission: string, pattern: string | undefined): boolean {
  const colon = rule.indexOf(":");
  const tool = colon < 0 ? rule : rule.slice(0, colon);
  if (!globToRegExp(tool).test(permission)) return false;
  if (colon < 0) return true;
  return pattern !== undefined && globToRegExp(rule.slice(colon + 1)).test(pattern);
}

/**
 * What the policy says about a request (no `onAsk` call).
 *
 * @example
 * ```ts
 * evaluatePermission({ deny: ["bash:rm *"] }, { permission: "bash", patterns: ["rm -rf /"] } as PermissionRequest);
 * // { verdict: "deny", rule: "bash:rm *" }
 * ```
 */
export function evaluatePermission(
  policy: PermissionPolicy,
  request: Pick<PermissionRequest, "permission" | "patterns">,
): { verdict: "allow" | "deny" | "ask"; rule: string } {
  const first = (rules: readonly string[] | undefined, pattern: string | undefined) =>
    rules?.find((rule) => ruleMatches(rule, request.permission, pattern));
  // Each pattern on its own (a compound command arrives as one pattern per command).
  const verdicts = (request.patterns.length ? request.patterns : [undefined]).map((pattern) => {
    const deny = first(policy.deny, pattern);
    if (deny) return { verdict: "deny" as const, rule: deny };
    const allow = first(policy.allow, pattern);
    if (allow) return { verdict: "allow" as const, rule: allow };
    const ask = first(policy.ask, pattern);
    if (ask) return { verdict: "ask" as const, rule: ask };
    return { verdict: policy.fallback ?? "deny", rule: "fallback" };
  });
  // Any pattern denied denies (named by a deny rule rather than the fallback where there is one);
  // allowed only when every pattern is.
  const denied = verdicts.filter((v) => v.verdict === "deny");
  if (denied.length) return denied.find((v) => v.rule !== "fallback") ?? (denied[0] as { verdict: "deny"; rule: string });
  if (verdicts.every((v) => v.verdict === "allow")) {
    return { verdict: "allow", rule: [...new Set(verdicts.map((v) => v.rule))].join(", ") };
  }
  return verdicts.find((v) => v.verdict === "ask") as { verdict: "ask"; rule: string };
}

/** A policy at work; stop it with `close()` or `await using`. */
export interface AppliedPermissionPolicy extends AsyncDisposable {
  /** Every decision so far, in order. */
  readonly decisions: readonly PermissionDecision[];
  close(): Promise<void>;
}

/**
 * Answers permission requests of the client (or of one session) by `policy`, from now until closed.
 * Requests already waiting are answered too. Resolves once it is listening; rejects (typed) when it
 * cannot listen, e.g. `AuthenticationError` for a wrong password, or with `signal`'s reason.
 *
 * @example
 * ```ts
 * await using policy = await applyPermissionPolicy(oc, {
 *   allow: ["read", "bash:git status", "bash:ls*"],
 *   deny: ["bash:rm *"],
 *   ask: ["edit"],
 *   onAsk: async (req) => confirm(`${req.permission} ${req.patterns.join(" ")}?`),
 * }, { sessionID: session.id });
 * ```
 */
export async function applyPermissionPolicy(
  oc: OpencodeClient,
  policy: PermissionPolicy,
  options: { sessionID?: string; signal?: AbortSignal } = {},
): Promise<AppliedPermissionPolicy> {
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const decisions: PermissionDecision[] = [];
  const handled = new Set<string>();

  const decide = async (request: PermissionRequest): Promise<void> => {
    if (handled.has(request.id)) return;
    if (options.sessionID !== undefined && request.sessionID !== options.sessionID) return;
    handled.add(request.id);
    const { verdict, rule } = evaluatePermission(policy, request);
    let reply: PermissionReply = verdict === "allow" ? "once" : "reject";
    if (verdict === "ask") {
      const answer = policy.onAsk ? await Promise.resolve(policy.onAsk(request)).catch(() => false) : false;
      reply = answer === true ? "once" : answer === false ? "reject" : answer;
    }
    decisions.push({ request, verdict, reply, rule });
    const message = reply === "reject" ? `denied by policy (${rule})` : undefined;
    await oc.permission
      .reply({ path: { requestID: request.id }, body: { reply, ...(message ? { message } : {}) } })
      .catch((error: unknown) => oc.logger.warn(`permission reply for ${request.id} failed`, { error }));
  };

  const stream = EventStream.of(oc);
  const events = stream.subscribe({
    types: ["permission.asked"],
    ...(options.sessionID !== undefined ? { sessionID: options.sessionID } : {}),
    signal: stop.signal,
  });
  const loop = (async () => {
    for await (const event of events) void decide(event.properties as PermissionRequest);
  })().catch((error: unknown) => oc.logger.warn("permission policy stopped", { error }));
  const close = async () => {
    stop.abort();
    await loop;
  };
  try {
    // A policy that cannot see requests must not look applied: its setup fails with the cause
    // (a wrong password, say) instead.
    await stream.ready(stop.signal);
    const pending = (await oc.permission.list()) as PermissionRequest[];
    await Promise.all(pending.map(decide));
  } catch (error) {
    await close();
    throw error;
  }

  return { decisions, close, [Symbol.asyncDispose]: close };
}
