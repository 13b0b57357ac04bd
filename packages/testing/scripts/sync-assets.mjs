// Copies the repository's spec and recorded streams into this package, which ships them.
// The unit tests spec.test.ts and fixtures.test.ts fail when the copies drift from the originals.
import { cpSync, mkdirSync } from "node:fs";

const root = new URL("../../../", import.meta.url);
const here = new URL("../", import.meta.url);
mkdirSync(new URL("spec/", here), { recursive: true });
cpSync(new URL("openapi/opencode.openapi.json", root), new URL("spec/opencode.openapi.json", here));
cpSync(new URL("packages/client/test/fixtures/sse/", root), new URL("fixtures/sse/", here), { recursive: true });
