/**
 * The root entry and the operations subpath bundle for the browser (esbuild --platform=browser
 * fails on any `node:` import) with no Node global in them, and the bundle works in a context that
 * has only web globals: no `process`, no `Buffer`, no `require`.
 */
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { bundle } from "../../scripts/bundle.ts";

const NODE_GLOBAL = /(?<![\w$.])(process|Buffer|require|__dirname|__filename)(?![\w$])/g;

/** Web globals only; `fetch` answers from `answer` and records what it was asked. */
function webContext(answer: (url: string, init: RequestInit) => Response) {
  const requests: { url: string; init: RequestInit }[] = [];
  const context = {
    URL,
    URLSearchParams,
    Headers,
    Request,
    Response,
    Blob,
    ReadableStream,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    DOMException,
    EventTarget,
    Event,
    btoa,
    atob,
    crypto,
    console,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    structuredClone,
    fetch: async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return answer(url, init);
    },
  } as Record<string, unknown>;
  context.globalThis = context;
  return { context, requests };
}

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

describe.each([
  ["root entry", 'export { createOpencodeClient as make } from "@ocsdk/sdk";', "client"],
  ["operations subpath", 'export { createCore as make, globalHealth } from "@ocsdk/sdk/operations";', "core"],
])("%s for the browser", (_name, entry, kind) => {
  it("has no node: import and no Node global, and calls the server with web APIs only", async () => {
    const esm = await bundle(entry, { platform: "browser" });
    expect(esm.inputs.filter((i) => i.startsWith("node:") || i.includes("transport.node"))).toEqual([]);
    expect(esm.code.match(NODE_GLOBAL) ?? []).toEqual([]);

    // Evaluate the bundle as a script in a context with web globals only: its one `export { a as b }`
    // statement becomes the script's result.
    const { context, requests } = webContext(() => json({ healthy: true, version: "1.2.3" }));
    const exported = /export\s*\{([^}]*)\};?\s*$/.exec(esm.code);
    expect(exported).not.toBeNull();
    const names = (exported?.[1] ?? "").split(",").map((pair) => pair.trim().split(/\s+as\s+/));
    const result = `({ ${names.map(([local, name]) => `${name ?? local}: ${local}`).join(", ")} })`;
    const source = esm.code.slice(0, exported?.index) + result;
    const sdk = (await runInNewContext(source, context)) as Record<string, (...a: unknown[]) => unknown>;
    const client = (sdk.make as (o: object) => Record<string, unknown>)({
      baseUrl: "http://127.0.0.1:4096",
      password: "pässword",
    });
    const health =
      kind === "client"
        ? await (client.global as { health: () => Promise<unknown> }).health()
        : await (sdk.globalHealth as (c: unknown) => Promise<unknown>)(client);
    expect(health).toEqual({ healthy: true, version: "1.2.3" });
    expect(requests.map((r) => r.url)).toEqual(["http://127.0.0.1:4096/global/health"]);
    const auth = ((requests[0]?.init.headers ?? {}) as Record<string, string>).authorization;
    // Basic auth over the UTF-8 bytes, as Buffer.from(…).toString("base64") did.
    expect(auth).toBe(`Basic ${Buffer.from("opencode:pässword").toString("base64")}`);
  });
});
