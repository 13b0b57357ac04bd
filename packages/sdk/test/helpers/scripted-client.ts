/**
 * A client on a scripted fetch, for the core's unit tests: each call gets the next scripted answer,
 * every request and body is recorded, and every retry delay goes through an injected sleep, so
 * assertions are exact.
 */
import { createOpencodeClient } from "@ocsdk/sdk";

export type Step = Response | Error | ((req: Request) => Response | Promise<Response>);

/** A fetch that answers from a script and records each request it got. */
export function scriptedFetch(steps: Step[]) {
  const requests: Request[] = [];
  const bodies: string[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    requests.push(req.clone());
    bodies.push(req.body ? await req.clone().text() : "");
    const step = steps[Math.min(requests.length - 1, steps.length - 1)];
    if (step === undefined) throw new Error("script empty");
    if (step instanceof Error) throw step;
    if (typeof step === "function") return step(req);
    return step.clone();
  };
  return { fetch: fn as typeof fetch, requests, bodies };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** A connection error as Node raises it before the socket connected. */
export function refused(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  });
}
/** A reset after the request went out: the server may have acted. */
export function reset(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  });
}

export function client(steps: Step[], extra: Parameters<typeof createOpencodeClient>[0] = {}) {
  const f = scriptedFetch(steps);
  const sleeps: number[] = [];
  const oc = createOpencodeClient({
    baseUrl: "http://127.0.0.1:1",
    fetch: f.fetch,
    logLevel: "off",
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    ...extra,
  });
  return { oc, ...f, sleeps };
}

export const SESSION = { id: "ses_1", title: "t" };
