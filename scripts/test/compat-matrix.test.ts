/** The compatibility matrix as text (README round trip) and the rows a spec diff touches. No server. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FEATURES, type JourneyResult } from "../lib/compat/journeys.ts";
import {
  cellText,
  formatMatrix,
  formatRowChanges,
  matrixRowsChanged,
  matrixRowsLine,
  parseMatrix,
  README_BEGIN,
  README_END,
  replaceMatrix,
} from "../lib/compat/matrix.ts";
import { SPEC_PATH } from "../lib/paths.ts";
import type { OpenApiDoc } from "../lib/spec.ts";
import { diffSpecs } from "../lib/spec-diff.ts";

const results = (over: Partial<Record<string, Omit<JourneyResult, "feature" | "detail">>>): JourneyResult[] =>
  FEATURES.map((feature) => ({ feature, status: "works", note: "", detail: "", ...over[feature] }));

describe("matrix text", () => {
  it("cells say works, degrades how, not available why, FAILS why; pipes in notes are escaped", () => {
    expect(cellText({ status: "works", note: "" })).toBe("works");
    expect(cellText({ status: "degrades", note: "a | b\n c" })).toBe("degrades: a \\| b c");
    expect(cellText({ status: "unavailable", note: "gone" })).toBe("not available: gone");
    expect(cellText({ status: "fails", note: "hung" })).toBe("FAILS: hung");
  });

  it("the README region round-trips: written, read back by version and feature, replaced again", () => {
    const table = formatMatrix([
      { version: "1.15.13", label: "outside the range", results: results({ "v2 API": { status: "degrades", note: "x | y" } }) },
      { version: "1.18.33", label: "pin", results: results({}) },
    ]);
    const readme = `# t\n\n${README_BEGIN}\nold\n${README_END}\n\nafter\n`;
    const written = replaceMatrix(readme, table);
    expect(written).toContain(`${README_BEGIN}\n\n${table}\n\n${README_END}\n\nafter`);
    const matrix = parseMatrix(written);
    expect([...matrix.keys()]).toEqual(["1.15.13", "1.18.33"]);
    expect(matrix.get("1.15.13")?.get("v2 API")).toBe("degrades: x \\| y");
    expect([...(matrix.get("1.18.33")?.keys() ?? [])]).toEqual([...FEATURES]);
    expect(replaceMatrix(written, table)).toBe(written);
    expect(() => parseMatrix("no markers")).toThrow(/no compatibility matrix/);
  });
});

describe("rows a spec diff touches", () => {
  const pinned = JSON.parse(readFileSync(SPEC_PATH, "utf8")) as OpenApiDoc;
  const without = (path: string, method: string): OpenApiDoc => {
    const doc = structuredClone(pinned);
    delete (doc.paths[path] as Record<string, unknown>)[method];
    return doc;
  };

  it("an operation a row uses, removed, names that row (and only rows using it)", () => {
    const rows = matrixRowsChanged(diffSpecs(pinned, without("/session/{sessionID}/abort", "post")));
    expect(rows.map((r) => r.feature)).toEqual(["abort"]);
    expect(rows[0]?.reasons[0]).toContain("POST /session/{sessionID}/abort");
    const prompt = matrixRowsChanged(diffSpecs(pinned, without("/session/{sessionID}/prompt_async", "post")));
    expect(prompt.map((r) => r.feature)).toEqual([
      "prompt streaming",
      "tool with permission",
      "abort",
      "queued prompts",
      "steered prompts",
    ]);
    expect(formatRowChanges(prompt)).toContain("5 row(s) may change");
  });

  it("a change no row uses names none", () => {
    const diff = diffSpecs(pinned, without("/tui/open-help", "post"));
    expect(diff.changes.length).toBeGreaterThan(0);
    expect(matrixRowsChanged(diff)).toEqual([]);
    expect(matrixRowsLine(diff, "9.9.9")).toBe("none by the spec (measure: pnpm compat --versions 9.9.9)");
  });
});
