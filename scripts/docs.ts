/**
 * `pnpm api-docs`: the API reference of @ocsdk/sdk, @ocsdk/sdk/node and @ocsdk/testing from their TSDoc
 * (typedoc, config in typedoc.json) into docs/api. Fails on any exported symbol without a doc comment
 * (`validation.notDocumented` with warnings as errors); the operation members (`oc.session.get`, …)
 * carry the spec's summary and description, generated with the operation table.
 * Extra arguments go to typedoc (e.g. `--emit none` to only check).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const typedoc = fileURLToPath(new URL("../node_modules/typedoc/bin/typedoc", import.meta.url));
const result = spawnSync(process.execPath, [typedoc, "--options", "typedoc.json", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
