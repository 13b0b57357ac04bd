/**
 * pnpm bench:size: what the SDK adds to a browser bundle (esbuild, minified, ESM, gzip -9), next to
 * the generated hey-api client measured in the same run as the baseline.
 *
 * - full client + one call: `createOpencodeClient` (every operation, helpers) and `oc.session.get`;
 * - one operation with the policies: `createCore` + `sessionGet` from `@ocsdk/sdk/operations`;
 * - for the breakdown: the core with every operation function (the official client's scope, no
 *   helpers), and the helpers alone (event stream, session handles, prompt, permission policy);
 * - baseline: `@ocsdk/client`'s generated `sessionGet` with its fetch client (no retries, no errors).
 * Goals (issue 12): full ≤ 9.7 kB gz, one operation ≤ 4 kB gz, no `node:` import in a browser bundle.
 */
import { bundle } from "../scripts/bundle.ts";

const CASES = [
  {
    name: "createOpencodeClient + one call",
    goal: 9_700,
    code: 'import { createOpencodeClient } from "@ocsdk/sdk";\nconst oc = createOpencodeClient({ baseUrl: "http://127.0.0.1:4096" });\nconsole.log(await oc.session.get({ path: { sessionID: "ses_1" } }));',
  },
  {
    name: "one operation with policies (operations subpath)",
    goal: 4_000,
    code: 'import { createCore, sessionGet } from "@ocsdk/sdk/operations";\nconst core = createCore({ baseUrl: "http://127.0.0.1:4096" });\nconsole.log(await sessionGet(core, { path: { sessionID: "ses_1" } }));',
  },
  {
    name: "createCore + all 188 operation functions (no helpers)",
    goal: undefined,
    code: 'import * as ops from "@ocsdk/sdk/operations";\nconsole.log(ops);',
  },
  {
    name: "helpers alone: EventStream, Sessions (prompt, permissions)",
    goal: undefined,
    code: 'import { EventStream, Sessions } from "@ocsdk/sdk";\nconsole.log(EventStream, Sessions);',
  },
  {
    name: "baseline: generated client, one call",
    goal: undefined,
    code: 'import { createClient, sessionGet } from "@ocsdk/client";\nconst client = createClient({ baseUrl: "http://127.0.0.1:4096" });\nconsole.log(await sessionGet({ client, path: { sessionID: "ses_1" } }));',
  },
];

const kB = (n: number) => `${(n / 1000).toFixed(2)} kB`;
let failed = false;
const rows: string[][] = [];
let baseline = 0;
const results = [];
for (const c of CASES) results.push({ ...c, ...(await bundle(c.code, { platform: "browser" })) });
baseline = results.at(-1)?.gzipBytes ?? 0;
for (const r of results) {
  const nodeImports = r.inputs.filter((i) => i.startsWith("node:"));
  const within = r.goal === undefined ? "" : r.gzipBytes <= r.goal ? `≤ ${kB(r.goal)} ✓` : `> ${kB(r.goal)} ✗`;
  if (r.goal !== undefined && r.gzipBytes > r.goal) failed = true;
  if (nodeImports.length) failed = true;
  rows.push([
    r.name,
    kB(r.minBytes),
    kB(r.gzipBytes),
    `${(r.gzipBytes / baseline).toFixed(2)}x`,
    within,
    nodeImports.join(" ") || "none",
  ]);
}
const header = ["bundle (browser, esbuild --minify)", "min", "gzip", "vs baseline", "goal", "node: imports"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
for (const line of [header, ...rows]) console.log(line.map((cell, i) => cell.padEnd(widths[i] as number)).join("  "));
// `--breakdown`: the minified bytes per module of each bundle, to see what to cut.
if (process.argv.includes("--breakdown")) {
  for (const r of results) {
    console.log(`\n${r.name}`);
    for (const [path, bytes] of r.modules)
      if (bytes > 0) console.log(`  ${String(bytes).padStart(6)}  ${path.replace(/^.*?packages\//, "")}`);
  }
}
if (failed) {
  console.log("size goals not met");
  process.exitCode = 1;
}
