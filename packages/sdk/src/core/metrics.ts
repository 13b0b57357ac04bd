/**
 * Request metrics: counters and latency as a snapshot, and hooks called as things happen
 * (the seed SDK's `Metrics`).
 */

/** One finished HTTP attempt. */
export interface RequestEvent {
  operationId: string | undefined;
  method: string;
  path: string;
  attempt: number;
  /** HTTP status, undefined on a connection error. */
  status?: number;
  durationMs: number;
  error?: unknown;
}

/**
 * Hooks called by the client. Exceptions thrown by hooks are ignored (they must not break requests).
 *
 * @example
 * ```ts
 * createOpencodeClient({ hooks: { onResponse: (e) => console.log(e.method, e.path, e.status, e.durationMs) } });
 * ```
 */
export interface ClientHooks {
  /** Before each attempt. */
  onRequest?(info: { operationId: string | undefined; method: string; path: string; attempt: number }): void;
  /** After each attempt that got an HTTP answer (any status). */
  onResponse?(event: RequestEvent): void;
  /** Before waiting for a retry. */
  onRetry?(info: {
    operationId: string | undefined;
    method: string;
    path: string;
    retry: number;
    delayMs: number;
    error: unknown;
  }): void;
  /** When a call finally fails (after retries). */
  onError?(event: RequestEvent): void;
}

/** Counters at one moment. */
export interface MetricsSnapshot {
  /** Logical calls started (a call with retries counts once). */
  requests: number;
  /** HTTP attempts, retries included. */
  attempts: number;
  /** Calls that finally failed. */
  errors: number;
  retries: number;
  /** Latency of finished calls, ms (retries and waits included). */
  latency: { count: number; totalMs: number; minMs: number; maxMs: number; avgMs: number };
  /** Calls and errors per operationId (or `METHOD path` for raw calls). */
  byOperation: Record<string, { requests: number; errors: number }>;
}

/**
 * Counters and latency of a client's calls: pass one as the `metrics` option (opt-in, so a bundle
 * without it carries no metrics code).
 *
 * @example
 * ```ts
 * const metrics = new Metrics();
 * const oc = createOpencodeClient({ metrics });
 * metrics.snapshot().requests; // 0
 * ```
 */
export class Metrics {
  private requests = 0;
  private attempts = 0;
  private errors = 0;
  private retries = 0;
  private lat = { count: 0, totalMs: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 };
  private ops = new Map<string, { requests: number; errors: number }>();

  /** @internal */
  recordStart(key: string): void {
    this.requests++;
    const op = this.ops.get(key) ?? { requests: 0, errors: 0 };
    op.requests++;
    this.ops.set(key, op);
  }
  /** @internal */
  recordAttempt(): void {
    this.attempts++;
  }
  /** @internal */
  recordRetry(): void {
    this.retries++;
  }
  /** @internal */
  recordEnd(key: string, durationMs: number, failed: boolean): void {
    if (failed) {
      this.errors++;
      const op = this.ops.get(key);
      if (op) op.errors++;
    }
    this.lat.count++;
    this.lat.totalMs += durationMs;
    this.lat.minMs = Math.min(this.lat.minMs, durationMs);
    this.lat.maxMs = Math.max(this.lat.maxMs, durationMs);
  }

  /** A copy of the counters. @example `metrics.snapshot().errors` */
  snapshot(): MetricsSnapshot {
    const { count, totalMs, minMs, maxMs } = this.lat;
    return {
      requests: this.requests,
      attempts: this.attempts,
      errors: this.errors,
      retries: this.retries,
      latency: { count, totalMs, minMs: count ? minMs : 0, maxMs, avgMs: count ? totalMs / count : 0 },
      byOperation: Object.fromEntries([...this.ops].map(([k, v]) => [k, { ...v }])),
    };
  }

  /** Zeroes every counter. @example `metrics.reset()` */
  reset(): void {
    this.requests = this.attempts = this.errors = this.retries = 0;
    this.lat = { count: 0, totalMs: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 };
    this.ops.clear();
  }
}
