// The quickstart and an event subscription, as a consumer of the packed SDK does them. Shared by
// the terminal runtimes (quickstart.mjs) and the browser page, so every runtime runs the same steps.
// Plain JavaScript: it runs unbuilt on Node, Bun and Deno, and esbuild bundles it for the browser.

/** Thrown by a failed step, after it was reported: the steps after it depend on it. */
export class StepFailed extends Error {}

/**
 * Makes the `step(name, fn, describe?)` runner: runs `fn`, reports `{ step, ok, ms, detail | error }`
 * through `report`, returns fn's result or throws StepFailed.
 */
export function makeStepper(report) {
  return async (name, fn, describe) => {
    const started = Date.now();
    try {
      const value = await fn();
      report({ step: name, ok: true, ms: Date.now() - started, ...(describe ? { detail: String(describe(value)) } : {}) });
      return value;
    } catch (error) {
      report({ step: name, ok: false, ms: Date.now() - started, error: describeError(error) });
      throw new StepFailed(name);
    }
  };
}

export function describeError(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}\n${error.stack ?? ""}`.slice(0, 3000);
}

function withDeadline(promise, ms, what) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * The quickstart (health, create, list, delete, a typed 404 and 401) and an event subscription
 * against the server at `baseUrl`. `sdk` is the module namespace of `@ocsdk/sdk`'s root entry.
 */
export async function runQuickstartChecks(sdk, { baseUrl, password, label }, step) {
  const { createOpencodeClient, AuthenticationError, EventStream, NotFoundError } = sdk;
  const oc = await step("client", () => createOpencodeClient({ baseUrl, password, logLevel: "off" }));
  try {
    await step(
      "health",
      async () => {
        const health = await oc.global.health();
        expect(health?.healthy === true && typeof health.version === "string", `unexpected health: ${JSON.stringify(health)}`);
        return health.version;
      },
      (version) => `opencode ${version}`,
    );

    const session = await step(
      "create",
      async () => {
        const created = await oc.session.create({ body: { title: `${label} quickstart` } });
        expect(typeof created?.id === "string" && created.id.startsWith("ses"), `not a session: ${JSON.stringify(created)}`);
        return created;
      },
      (s) => s.id,
    );
    const path = { sessionID: session.id };

    await step(
      "list",
      async () => {
        const sessions = await oc.session.list();
        expect(Array.isArray(sessions), `not a list: ${JSON.stringify(sessions)}`);
        expect(
          sessions.some((s) => s.id === session.id),
          `${session.id} missing from ${sessions.length} sessions`,
        );
        return sessions.length;
      },
      (n) => `${n} sessions`,
    );

    await step(
      "events",
      async () => {
        const renamed = `${label} renamed`;
        const abort = new AbortController();
        // The typed shared stream; `EventStream.of(oc)` is the wrapper's (not the generated `oc.event`).
        const updates = EventStream.of(oc).subscribe({
          sessionID: session.id,
          types: ["session.updated"],
          signal: abort.signal,
        });
        const seen = (async () => {
          for await (const event of updates) if (event.properties?.info?.title === renamed) return event;
          throw new Error("the subscription ended without the update");
        })();
        seen.catch(() => {});
        try {
          await withDeadline(EventStream.of(oc).ready(), 30_000, "live event stream");
          await oc.session.update({ path, body: { title: renamed } });
          const event = await withDeadline(seen, 30_000, `session.updated event titled "${renamed}"`);
          return event;
        } finally {
          abort.abort();
        }
      },
      (event) => `${event.type} ${event.id}`,
    );

    await step(
      "delete",
      async () => {
        expect((await oc.session.delete({ path })) === true, "delete did not answer true");
        try {
          await oc.session.get({ path });
        } catch (error) {
          expect(error instanceof NotFoundError, `expected NotFoundError, got ${describeError(error)}`);
          return error.status;
        }
        throw new Error("the deleted session was still returned");
      },
      (status) => `then get → ${status}`,
    );

    await step(
      "auth",
      async () => {
        const wrong = createOpencodeClient({ baseUrl, password: `${password}-wrong`, logLevel: "off", maxRetries: 0 });
        try {
          await wrong.global.health();
        } catch (error) {
          expect(error instanceof AuthenticationError, `expected AuthenticationError, got ${describeError(error)}`);
          return error.status;
        } finally {
          await release(wrong);
        }
        throw new Error("a wrong password was accepted");
      },
      (status) => `wrong password → ${status}`,
    );
  } finally {
    await step("close", () => release(oc));
  }
}

// Frees what a client holds. oc.close() comes with issue 12 (item 6); until then the event stream
// is the only thing a client keeps open.
async function release(oc) {
  if (typeof oc.close === "function") await oc.close();
  else await EventStream.of(oc).close();
}
