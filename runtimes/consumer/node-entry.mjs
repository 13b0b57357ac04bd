// The Node-only subpath from the packed tarball: spawnServer (the README's way to start a server),
// createNodeFetch and attachServer. The pinned binary comes from OCSDK_OPENCODE_BINARY, which
// resolveOpencodeBinary("pinned") honours, as the consumer project does not install opencode-ai.
import { describeError, makeStepper, StepFailed } from "./checks.mjs";

const step = makeStepper((record) => console.log(`@@step ${JSON.stringify(record)}`));

let failed = false;
try {
  const { createOpencodeClient } = await step("import", () => import("@ocsdk/sdk"));
  const node = await step(
    "import-node",
    () => import("@ocsdk/sdk/node"),
    (m) => Object.keys(m).join(" "),
  );
  await step(
    "resolve-binary",
    () => node.resolveOpencodeBinary(),
    (bin) => bin,
  );
  const server = await step(
    "spawn",
    // A generous start deadline: CI shares its 2 cores with the rest of the suite.
    () => node.spawnServer({ startTimeoutMs: 120_000 }),
    (s) => `${s.url} opencode ${s.version}`,
  );
  let closed = false;
  try {
    const oc = createOpencodeClient({ baseUrl: server.url, password: server.password, fetch: node.createNodeFetch() });
    await step(
      "node-fetch",
      async () => (await oc.global.health()).version,
      (v) => `health ${v}`,
    );
    await step(
      "attach",
      async () => {
        const attached = await node.attachServer({ baseUrl: server.url, password: server.password, logLevel: "off" });
        if (!attached.versionMatches) throw new Error(`version ${attached.version} does not match the SDK's spec`);
        return attached.version;
      },
      (v) => v,
    );
    await step(
      "close",
      async () => {
        closed = true;
        await server.close();
        // The process, not the port: another test's server may take the port at once.
        try {
          process.kill(server.pid, 0);
        } catch (error) {
          if (error.code === "ESRCH") return server.pid;
          throw error;
        }
        throw new Error(`server process ${server.pid} still alive after close()`);
      },
      (pid) => `process ${pid} gone`,
    );
  } finally {
    if (!closed) await server.close();
  }
} catch (error) {
  failed = true;
  if (!(error instanceof StepFailed))
    console.log(`@@step ${JSON.stringify({ step: "(script)", ok: false, ms: 0, error: describeError(error) })}`);
}
if (failed) process.exitCode = 1;
console.log("@@done");
