// Copies the repository's spec and recorded streams into this package, which ships them. They have one
// home (openapi/ and packages/client/test/fixtures/sse/); these copies are build artifacts, never
// committed (.gitignore), made on install (prepare), build and pack, and by every pipeline script that
// writes the originals. spec.test.ts and fixtures.test.ts check the copies against the originals.
import { cpSync, mkdirSync, rmSync } from "node:fs";

const root = new URL("../../../", import.meta.url);
const here = new URL("../", import.meta.url);
mkdirSync(new URL("spec/", here), { recursive: true });
cpSync(new URL("openapi/opencode.openapi.json", root), new URL("spec/opencode.openapi.json", here));
// Whole directory anew: a recording the repository dropped must not linger here.
rmSync(new URL("fixtures/", here), { recursive: true, force: true });
cpSync(new URL("packages/client/test/fixtures/sse/", root), new URL("fixtures/sse/", here), { recursive: true });
