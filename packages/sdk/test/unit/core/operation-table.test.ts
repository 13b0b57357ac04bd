/** The runtime half of the generated table: the packed rows unpack to the spec's operations. */
import { OPERATIONS } from "@ocsdk/sdk/internal";
import { describe, expect, it } from "vitest";
import { op, unpackOperations } from "../../../src/core/operation-table.ts";

describe("unpackOperations", () => {
  it("reads every column, with `-` and left-out trailing columns as the defaults", () => {
    const table = unpackOperations<"a.get" | "b.read" | "c.list">(
      ["a.get GET /a/{id} q - - id=^a x=^b_", "b.read GET /b/* l binary application/octet-stream", "c.list GET /c"].join("\n"),
    );
    expect(table["a.get"]).toEqual(op("a.get", "GET", "/a/{id}", "query", undefined, { id: "^a", x: "^b_" }));
    expect(table["b.read"]).toEqual({
      id: "b.read",
      method: "GET",
      path: "/b/*",
      scope: "location",
      response: "binary",
      accept: "application/octet-stream",
      patterns: undefined,
    });
    expect(table["c.list"]).toEqual(op("c.list", "GET", "/c"));
  });

  it("keeps a pattern's own `=` signs", () => {
    const table = unpackOperations<"x">("x GET /x - - - q=^a=b");
    expect(table.x.patterns).toEqual({ q: "^a=b" });
  });
});

describe("the generated table", () => {
  it("names the spec's media types where JSON is not the answer, and scopes what declares the scope", () => {
    expect(OPERATIONS["v2.fs.read"]).toMatchObject({ response: "binary", accept: "application/octet-stream", scope: "location" });
    expect(OPERATIONS["vcs.diff.raw"]).toMatchObject({ response: "text", accept: "text/x-diff", scope: "query" });
    expect(OPERATIONS["session.get"].accept).toBeUndefined();
    // Declares `directory` and `workspace` as plain query parameters (a filter the scope fills in).
    expect(OPERATIONS["v2.session.list"].scope).toBe("query");
    // Declares `location[directory]` and `location[workspace]` spelled out.
    expect(OPERATIONS["v2.pty.connect"].scope).toBe("location");
    // Declares neither: left unscoped.
    expect(OPERATIONS["global.health"].scope).toBeUndefined();
  });
});
