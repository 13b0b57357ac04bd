/**
 * `pnpm docs`: the API reference of @ocsdk/sdk, @ocsdk/sdk/node and @ocsdk/testing from their TSDoc
 * (typedoc, config in typedoc.json) into docs/api. Fails on any exported symbol without a doc comment
 * (`validation.notDocumented` with warnings as errors). The generated operation members
 * (`oc.session.get`, …) are exempt: they mirror the spec's operations, documented in @ocsdk/client.
 * Extra arguments go to typedoc (e.g. `--emit none` to only check).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OPERATIONS } from "../packages/sdk/src/core/operations.gen.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

/** typedoc's name of an operation member: `session.get` → `sdk/src.OpencodeClient.session.__type.get`. */
export function operationReflectionName(operationId: string): string {
  const [group, ...rest] = operationId.split(".");
  return `sdk/src.OpencodeClient.${group}.__type.${rest.join(".")}`;
}

const exempt = Object.keys(OPERATIONS).flatMap((id) => ["--intentionallyNotDocumented", operationReflectionName(id)]);
const typedoc = fileURLToPath(new URL("../node_modules/typedoc/bin/typedoc", import.meta.url));
const result = spawnSync(process.execPath, [typedoc, "--options", "typedoc.json", ...exempt, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
