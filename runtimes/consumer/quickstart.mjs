// Quickstart + event subscription from the packed tarballs, on any terminal runtime (Node, Bun,
// Deno). Reads the server from OCSDK_RT_BASE_URL / OCSDK_RT_PASSWORD; prints one @@step line per step.
import { describeError, makeStepper, runQuickstartChecks, StepFailed } from "./checks.mjs";

const env = globalThis.process?.env ?? {};
const step = makeStepper((record) => console.log(`@@step ${JSON.stringify(record)}`));

let failed = false;
try {
  const sdk = await step(
    "import",
    () => import("@ocsdk/sdk"),
    (m) => `${Object.keys(m).length} exports`,
  );
  await runQuickstartChecks(
    sdk,
    { baseUrl: env.OCSDK_RT_BASE_URL, password: env.OCSDK_RT_PASSWORD, label: env.OCSDK_RT_LABEL },
    step,
  );
} catch (error) {
  failed = true;
  if (!(error instanceof StepFailed))
    console.log(`@@step ${JSON.stringify({ step: "(script)", ok: false, ms: 0, error: describeError(error) })}`);
}
if (failed) {
  if (globalThis.Deno) globalThis.Deno.exitCode = 1;
  else globalThis.process.exitCode = 1;
}
console.log("@@done");
