/**
 * One client of the request instruction bench, run as its own process:
 * `tsx request-client.ts <which> <requests>`. Starts the loopback stub (a child process, not counted),
 * warms up, then makes `requests` sequential calls of one variant: `fetch` (raw fetch + json()),
 * `fetch-signal` (the same with a fresh AbortSignal and a timer), `fetch-reused-signal` (one signal
 * for 16 calls, as the SDK pools them), `sdk-fetch` (the full client over the global fetch), `sdk`
 * (the full client, default transport).
 */
import { serverProcess } from "./server-process.js";
import { sdk } from "./shipped.js";

const { createOpencodeClient } = sdk;

/** The stub of both request benches: one small JSON answer, keep-alive. */
export const REQUEST_STUB = `
import http from "node:http";
const body = JSON.stringify({ healthy: true, version: "1.18.33" });
const s = http.createServer((req, res) => { req.resume(); res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body); });
s.keepAliveTimeout = 60000;
s.listen(0, "127.0.0.1", () => console.log(s.address().port));
process.stdin.on("end", () => process.exit(0)); process.stdin.resume();
`;

// Long enough that the JIT has settled before the counted part (its compile work would otherwise count).
const WARM_UP = 1_500;

async function main(which: string, requests: number): Promise<void> {
  const stub = await serverProcess(REQUEST_STUB);
  const url = `${stub.url}/global/health`;
  const headers = { accept: "application/json", authorization: `Basic ${btoa("opencode:bench")}` };
  const oc = createOpencodeClient({
    baseUrl: stub.url,
    password: "bench",
    ...(which === "sdk-fetch" ? { fetch: globalThis.fetch } : {}),
  });
  // A fetch that can time out: the controller aborts it after the SDK's default timeout.
  const timedFetch = async (ac: AbortController) => {
    const timer = setTimeout(() => ac.abort(), 600_000);
    try {
      return await (await fetch(url, { headers, signal: ac.signal })).json();
    } finally {
      clearTimeout(timer);
    }
  };
  const calls: Record<string, () => Promise<unknown>> = {
    fetch: async () => (await fetch(url, { headers })).json(),
    // What the SDK's policies need from fetch at the least: an abort signal and a timeout per request.
    "fetch-signal": () => timedFetch(new AbortController()),
    "sdk-fetch": () => oc.global.health(),
    sdk: () => oc.global.health(),
  };
  // The SDK's pooling: one controller for up to 16 buffered calls (experiment: is reuse cheaper with undici?).
  let shared = new AbortController();
  let uses = 0;
  calls["fetch-reused-signal"] = async () => {
    if (++uses > 16) {
      shared = new AbortController();
      uses = 1;
    }
    return timedFetch(shared);
  };
  const call = calls[which];
  if (!call) throw new Error(`unknown variant ${which}`);
  try {
    for (let i = 0; i < WARM_UP + requests; i++) await call();
  } finally {
    oc.close();
    await stub.close();
  }
}

if (process.argv[1]?.endsWith("request-client.ts")) await main(process.argv[2] ?? "fetch", Number(process.argv[3] ?? 100));
