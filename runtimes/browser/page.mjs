// The browser page: the root entry of the packed @ocsdk/sdk, bundled by esbuild for the browser,
// runs the same quickstart and event steps as the terminal runtimes. The server URL and password
// come in the URL's hash; the result goes into #result (JSON) and a PASS/FAIL banner for the screenshot.
import * as sdk from "@ocsdk/sdk";
import { describeError, makeStepper, runQuickstartChecks, StepFailed } from "./checks.mjs";

const params = new URLSearchParams(location.hash.slice(1));
const records = [];
const list = document.getElementById("steps");
const step = makeStepper((record) => {
  records.push(record);
  const item = document.createElement("li");
  item.textContent = `${record.ok ? "✓" : "✗"} ${record.step} (${record.ms} ms) ${record.detail ?? record.error?.split("\n")[0] ?? ""}`;
  list.append(item);
});

try {
  await runQuickstartChecks(sdk, { baseUrl: params.get("baseUrl"), password: params.get("password"), label: "chromium" }, step);
} catch (error) {
  if (!(error instanceof StepFailed)) records.push({ step: "(page)", ok: false, ms: 0, error: describeError(error) });
}
for (const reason of window.__unhandled) records.push({ step: "unhandled-rejection", ok: false, ms: 0, error: reason });
const passed = records.length > 0 && records.every((r) => r.ok);
const banner = document.getElementById("banner");
banner.textContent = passed ? "PASS" : "FAIL";
banner.style.background = passed ? "#1a7f37" : "#cf222e";
document.getElementById("result").textContent = JSON.stringify(records);
document.body.dataset.state = "done";
