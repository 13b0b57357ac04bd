/**
 * Which opencode server versions this SDK works with, and what differs on each. The range and the
 * notes come from `pnpm compat`, which runs the SDK's journeys against published server binaries; its
 * test checks every note here against a real run.
 */
import { InvalidResponseError } from "../core/errors.js";

/**
 * The opencode server versions this SDK is tested against (a semver range): every minor line in it
 * runs the SDK's journeys in CI (`pnpm compat` prints the matrix).
 *
 * @example
 * ```ts
 * import { SUPPORTED_SERVERS, satisfiesServerRange } from "@ocsdk/sdk";
 * satisfiesServerRange("1.17.19", SUPPORTED_SERVERS); // true
 * ```
 */
export const SUPPORTED_SERVERS = ">=1.17.0 <1.20.0";

/** What happens to a feature on a server version. @example `const s: FeatureStatus = "degrades";` */
export type FeatureStatus = "works" | "degrades" | "unavailable";

/**
 * A feature that works differently, or not at all, on a server version.
 *
 * @example
 * ```ts
 * for (const note of (await oc.serverSupport()).notes) console.log(`${note.feature} ${note.status}: ${note.how}`);
 * ```
 */
export interface ServerFeatureNote {
  /** The feature, as the compatibility matrix names it (e.g. `"v2 API"`). */
  readonly feature: string;
  readonly status: Exclude<FeatureStatus, "works">;
  /** What the user sees. */
  readonly how: string;
}

/**
 * What the SDK knows about a server version.
 *
 * @example
 * ```ts
 * const { version, inRange, summary } = await oc.serverSupport();
 * if (!inRange) showBanner(summary);
 * ```
 */
export interface ServerSupport {
  /** The version the server reports. */
  readonly version: string;
  /** {@link SUPPORTED_SERVERS}. */
  readonly supportedRange: string;
  /** Whether the version is in {@link SUPPORTED_SERVERS}. */
  readonly inRange: boolean;
  /** Features that degrade or are missing on this version (empty: everything works). */
  readonly notes: readonly ServerFeatureNote[];
  /** One line for a log or a status bar. */
  readonly summary: string;
}

/** Measured by `pnpm compat` (the README's matrix); `versions` is a semver range. */
const NOTES: readonly (ServerFeatureNote & { versions: string })[] = [
  {
    versions: ">=1.17.0 <1.17.19",
    feature: "v2 API",
    status: "degrades",
    how: "operations of oc.v2 (/api/*) the server does not have yet are missing (33 of 61 on 1.17.0); calling one rejects at once with UnsupportedServerFeatureError",
  },
  {
    versions: "<1.17.0",
    feature: "v2 API",
    status: "degrades",
    how: "most of oc.v2 (/api/*) is missing (52 of 61 on 1.15.13); calling a missing operation rejects at once with UnsupportedServerFeatureError",
  },
];

const parse = (v: string): [number, number, number] | undefined => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether `version` satisfies `range`: comparators (`>=1.17.0 <1.20.0`, `=1.18.33`, a bare version)
 * all of which must hold, alternatives joined by `||`. A version that is not semver satisfies none.
 *
 * @example
 * ```ts
 * satisfiesServerRange("1.19.5", ">=1.17.0 <1.20.0"); // true
 * satisfiesServerRange("1.15.13", ">=1.17.0 <1.20.0"); // false
 * ```
 */
export function satisfiesServerRange(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) return false;
  return range.split("||").some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => {
        const m = /^(>=|<=|>|<|=)?(.+)$/.exec(comparator);
        const bound = m ? parse(m[2] as string) : undefined;
        if (!m || !bound) return false;
        const c = compare(v, bound);
        switch (m[1]) {
          case ">=":
            return c >= 0;
          case "<=":
            return c <= 0;
          case ">":
            return c > 0;
          case "<":
            return c < 0;
          default:
            return c === 0;
        }
      }),
  );
}

/**
 * What this SDK knows about a server version: in the supported range or not, and what degrades.
 *
 * @example
 * ```ts
 * const support = describeServerVersion("1.15.13");
 * if (!support.inRange) console.warn(support.summary);
 * ```
 */
export function describeServerVersion(version: string): ServerSupport {
  const inRange = satisfiesServerRange(version, SUPPORTED_SERVERS);
  const notes = NOTES.filter((n) => satisfiesServerRange(version, n.versions)).map(({ feature, status, how }) => ({
    feature,
    status,
    how,
  }));
  const degrades = notes.map((n) => `${n.feature} ${n.status === "degrades" ? "degrades" : "not available"}: ${n.how}`);
  const summary = inRange
    ? `opencode ${version} is supported (${SUPPORTED_SERVERS})${degrades.length ? `; ${degrades.join("; ")}` : ""}`
    : `opencode ${version} is outside the range this SDK supports (${SUPPORTED_SERVERS}): it was not tested against it${
        degrades.length ? `; ${degrades.join("; ")}` : ""
      }; a call to a route it lacks rejects with UnsupportedServerFeatureError`;
  return { version, supportedRange: SUPPORTED_SERVERS, inRange, notes, summary };
}

/** What the support check reads of a client (a structural slice of `OpencodeClient`, so the client can import this module). */
export interface SupportHost {
  readonly baseUrl: string;
  readonly logger: { warn(message: string): void };
  readonly global: { health(options?: { signal?: AbortSignal }): PromiseLike<{ version: string }> };
}

const known = new WeakMap<object, Promise<ServerSupport>>();
const warned = new WeakSet<object>();

/**
 * The server's version and support, read once per client from `/global/health` (a failed read is
 * not kept). Outside the supported range the client's logger warns once.
 *
 * @example
 * ```ts
 * const support = await serverSupport(oc);
 * console.log(support.summary);
 * ```
 */
export function serverSupport(oc: SupportHost, options: { signal?: AbortSignal } = {}): Promise<ServerSupport> {
  let pending = known.get(oc);
  if (!pending) {
    pending = Promise.resolve(oc.global.health(options.signal ? { signal: options.signal } : undefined)).then((health) => {
      const support = describeServerVersion(health.version);
      if (!support.inRange && !warned.has(oc)) {
        warned.add(oc);
        oc.logger.warn(`server at ${oc.baseUrl}: ${support.summary}`);
      }
      return support;
    });
    known.set(oc, pending);
    pending.catch(() => known.delete(oc));
  }
  return pending;
}

/**
 * @internal opencode before 1.18 takes a session's user message as answered once an assistant
 * message's id sorts after it (later ones answer only the latest); from 1.18 on it goes by parent.
 */
export function answersByIdOrder(support: ServerSupport): boolean {
  return satisfiesServerRange(support.version, "<1.18.0");
}

/** @internal attachServer read the version itself and said what it has to say. */
export function rememberServerSupport(oc: SupportHost, support: ServerSupport): void {
  known.set(oc, Promise.resolve(support));
  warned.add(oc);
}

/**
 * A route this server version does not serve: opencode answers an unknown route with its web page
 * (`200 text/html`), and the SDK names the server version and the operation instead. A subclass of
 * {@link InvalidResponseError}.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof UnsupportedServerFeatureError) console.log(e.serverVersion, e.feature, e.inRange); }
 * ```
 */
export class UnsupportedServerFeatureError extends InvalidResponseError {
  override name = "UnsupportedServerFeatureError";
  /** The version the server reports. */
  declare readonly serverVersion: string;
  /** The operation (`v2.session.get`) or feature it lacks. */
  declare readonly feature: string;
  /** Whether the version is in {@link SUPPORTED_SERVERS}. */
  declare readonly inRange: boolean;
  constructor(original: InvalidResponseError, feature: string, support: ServerSupport) {
    super({
      method: original.method,
      path: original.path,
      status: original.status,
      contentType: original.contentType,
      reason: `opencode ${support.version} does not serve ${feature} (it answered with its web page); ${
        support.inRange
          ? `this SDK supports ${support.supportedRange}`
          : `${support.version} is outside the range this SDK supports (${support.supportedRange})`
      }`,
      retryable: false,
      cause: original,
      attempts: original.attempts,
    });
    Object.assign(this, { serverVersion: support.version, feature, inRange: support.inRange });
  }
}

/**
 * @internal The client's hook for a failed call: an HTML page where the spec says otherwise is a
 * route this server lacks, so the error names the server version and the operation. Anything else,
 * or a server whose version cannot be read, keeps its own error.
 */
export async function explainUnsupported(oc: SupportHost, operationId: string, error: unknown): Promise<never> {
  // The health read itself answered with a page: no version to name (and no read to wait for).
  if (
    operationId === "global.health" ||
    !(error instanceof InvalidResponseError) ||
    !isHtml(error.contentType) ||
    error instanceof UnsupportedServerFeatureError
  ) {
    throw error;
  }
  let support: ServerSupport;
  try {
    support = await serverSupport(oc);
  } catch {
    throw error;
  }
  throw new UnsupportedServerFeatureError(error, `${operationId} (${error.method} ${error.path})`, support);
}

const isHtml = (contentType: string | null) => (contentType ?? "").split(";")[0]?.trim().toLowerCase() === "text/html";
