/** The README's contract tests are the example app's test files, which the suite runs. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const read = (p: string) => readFileSync(new URL(p, import.meta.url), "utf8");
const block = (tag: string) => new RegExp(`\`\`\`js ${tag}\\n([\\s\\S]*?)\`\`\``).exec(read("../../README.md"))?.[1];

it.each([
  ["vitest-contract", "../../../../examples/user-app/test/app.vitest.test.js"],
  ["node-test-contract", "../../../../examples/user-app/test/app.node.test.js"],
])("block %s is %s", (tag, file) => {
  expect(block(tag)).toBe(read(file));
});
