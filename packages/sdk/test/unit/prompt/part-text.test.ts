/** Delta events share their part's text: each `text` is a view made when read, and reads like a field. */
import { describe, expect, it } from "vitest";
import { PartText } from "../../../src/prompt/part-text.js";

describe("PartText", () => {
  it("gives each event the text up to its own delta", () => {
    const part = new PartText();
    const events = ["Hel", "lo, ", "world"].map((delta) => part.attachView({ type: "text.delta", delta }, part.append(delta)));
    expect(events.map((e) => e.text)).toEqual(["Hel", "Hello, ", "Hello, world"]);
    expect(part.value).toBe("Hello, world");
  });

  it("reads like a plain field: JSON, spread, structured clone, equality", () => {
    const part = new PartText("ab");
    const e = part.attachView({ type: "text.delta", delta: "c" }, part.append("c"));
    expect(JSON.parse(JSON.stringify(e))).toEqual({ type: "text.delta", delta: "c", text: "abc" });
    expect({ ...e }).toEqual({ type: "text.delta", delta: "c", text: "abc" });
    expect(structuredClone(e)).toEqual({ type: "text.delta", delta: "c", text: "abc" });
    expect(Object.keys(e)).toEqual(["type", "delta", "text"]);
  });

  it("an event keeps its text when a new part text replaces the old one", () => {
    const old = new PartText();
    const e = old.attachView({ delta: "draft" }, old.append("draft"));
    const replaced = new PartText("final");
    const later = replaced.attachView({ delta: "!" }, replaced.append("!"));
    expect([e.text, later.text]).toEqual(["draft", "final!"]);
  });
});
