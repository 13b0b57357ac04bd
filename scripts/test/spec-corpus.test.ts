/**
 * The diff on real spec pairs: small excerpts (excerpt.ts) of specs pulled from published servers
 * (opencode-ai 1.15.13, 1.17.19, 1.18.32, 1.18.33), with verdicts checked by hand against the
 * README's policy. Every breaking entry of a pair is listed here, so a new false positive or a
 * missed breaking change fails, and the noise the shape comparison removes stays gone.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSpecFile } from "../lib/spec.ts";
import { diffSpecs, type SpecChange } from "../lib/spec-diff.ts";

const DIR = fileURLToPath(new URL("./fixtures/spec-pairs/", import.meta.url));
const pair = async (from: string, to: string) =>
  diffSpecs(await readSpecFile(`${DIR}${from}.json`), await readSpecFile(`${DIR}${to}.json`));
const entry = (c: SpecChange) => `${c.location} | ${c.pointer ?? ""} | ${c.kind}`;
const breakingEntries = (changes: SpecChange[]) =>
  changes
    .filter((c) => c.breaking)
    .map(entry)
    .sort();

describe("real pairs, verdicts checked by hand", () => {
  it("1.18.32 → 1.18.33: the same spec, no change", async () => {
    expect((await pair("a-1.18.32", "a-1.18.33")).changes).toEqual([]);
  });

  it("1.17.19 → 1.18.33: widened read unions break, with the reason 'widened'", async () => {
    const d = await pair("a-1.17.19", "a-1.18.33");
    expect(breakingEntries(d.changes)).toEqual([
      "POST /global/upgrade | requestBody.properties.target | property.now-required",
      "schema Model | properties.capabilities.properties.interleaved.anyOf[object].properties.field[string] | type.changed",
      "schema ProviderConfig | properties.models.additionalProperties.properties.interleaved.anyOf | variant.added",
      "schema ProviderConfig | properties.models.additionalProperties.properties.interleaved.anyOf[boolean] | type.changed",
      "schema ProviderConfig | properties.models.additionalProperties.properties.interleaved.anyOf[object].properties.field[string] | type.changed",
      "schema ProviderConfig | properties.options.properties.chunkTimeout | variant.added",
    ]);
    // None of them says "removed": the field's enum only widened to any string.
    for (const c of d.changes.filter((c) => c.location !== "POST /global/upgrade" && c.breaking)) {
      expect(c.message).toMatch(/\(widened\)/);
      expect(c.reason).toMatch(/^breaking: a (response type|type both sent and read) widened$/);
    }
    const chunk = d.changes.find((c) => c.pointer?.endsWith("chunkTimeout"));
    expect(chunk?.message).toBe("union member boolean false added (widened)");
    expect(d.changes.filter((c) => !c.breaking)).toEqual([]);
  });

  it("1.15.13 → 1.18.33: no ref-vs-inline noise; gained members, patterns and renamed refs classed right", async () => {
    const d = await pair("b-1.15.13", "b-1.18.33");
    // Widened responses break.
    const error = d.changes.find((c) => c.location === "schema AssistantMessage" && c.kind === "variant.added");
    expect(error?.message).toBe("union member ContentFilterError object added (widened)");
    expect(error?.breaking).toBe(true);
    const member = d.changes.find((c) => c.location === "schema SessionMessage" && c.kind === "variant.added");
    expect(member?.message).toMatch(/^union member SessionMessageSystem type="system" object added/);
    expect(member?.breaking).toBe(true);
    // A request narrowed by a new pattern breaks; a response narrowed by one does not.
    const workspace = d.changes.find((c) => c.location === "GET /api/session" && c.pointer === "query.workspace");
    expect(workspace?.kind).toBe("pattern.changed");
    expect(workspace?.breaking).toBe(true);
    const ids = d.changes.filter((c) => c.kind === "pattern.changed" && c.location.startsWith("schema SessionMessage"));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((c) => !c.breaking && c.message === 'pattern "^msg_" added (narrowed)')).toBe(true);
    // The renamed delivery enum shows its content.
    const delivery = d.changes.filter((c) => c.pointer === "requestBody.properties.delivery");
    expect(delivery.map((c) => `${c.kind}:${c.breaking ? "B" : "n"}`).sort()).toEqual([
      "enum.value-added:n",
      "enum.value-added:n",
      "enum.value-removed:B",
      "enum.value-removed:B",
    ]);
    expect(delivery[0]?.message).toContain(
      '(values "immediate"|"deferred" → "steer"|"queue") ($ref SessionDelivery → an inline schema)',
    );
    // Noise the old diff reported: a $ref against an inline schema of the same shape, duplicate members.
    expect(d.changes.filter((c) => /type changed from .* to an inline schema/.test(c.message))).toEqual([]);
    expect(d.changes.filter((c) => /#\d/.test(c.message))).toEqual([]);
    expect(breakingEntries(d.changes)).toEqual(
      [
        ...["enabled", "endpoint", "env", "id", "name", "options"].map(
          (p) => `GET /api/provider/{providerID} | responses.200.properties.${p} | property.removed`,
        ),
        "GET /api/session | query.path | parameter.removed",
        "GET /api/session | query.roots | parameter.removed",
        "GET /api/session | query.start | parameter.removed",
        "GET /api/session | query.workspace | pattern.changed",
        "GET /api/session | responses.200.properties.items | property.removed",
        "POST /api/session/{sessionID}/prompt | query.directory | parameter.removed",
        "POST /api/session/{sessionID}/prompt | query.workspace | parameter.removed",
        "POST /api/session/{sessionID}/prompt | requestBody | request-body.now-required",
        "POST /api/session/{sessionID}/prompt | requestBody.properties.delivery | enum.value-removed",
        "POST /api/session/{sessionID}/prompt | requestBody.properties.delivery | enum.value-removed",
        "POST /api/session/{sessionID}/prompt | requestBody.properties.prompt.properties.files.items.properties.mime | property.removed",
        "POST /api/session/{sessionID}/prompt | requestBody.properties.prompt.properties.references | property.removed",
        ...["agent", "id", "metadata", "time", "type"].map(
          (p) => `POST /api/session/{sessionID}/prompt | responses.200[object].properties.${p} | property.removed`,
        ),
        "schema AssistantMessage | properties.error.anyOf | variant.added",
        "schema Prompt | properties.references | property.removed",
        "schema PromptReferenceAttachment |  | schema.removed",
        ...["enabled", "endpoint", "env", "options"].map((p) => `schema ProviderV2Info | properties.${p} | property.removed`),
        "schema SessionDelivery |  | schema.removed",
        "schema SessionInfo |  | schema.removed",
        "schema SessionMessage | anyOf | variant.added",
        "schema SessionMessageCompaction | properties.include | property.removed",
        "schema SessionMessageUser | properties.references | property.removed",
        "schema V2SessionsResponse |  | schema.removed",
      ].sort(),
    );
  });

  it("1.18.33 → 1.15.13 (a downgrade): the same places, directions flipped", async () => {
    const d = await pair("b-1.18.33", "b-1.15.13");
    const find = (loc: string, kind: string) => d.changes.filter((c) => c.location === loc && c.kind === kind);
    // The lost member narrows a read union: fine; the lost pattern widens a read id: breaks.
    expect(find("schema AssistantMessage", "variant.removed").map((c) => c.breaking)).toEqual([false]);
    expect(find("schema SessionMessageUser", "pattern.changed").map((c) => c.breaking)).toEqual([true]);
    // A sent parameter loses its pattern: widened, fine.
    expect(d.changes.find((c) => c.location === "GET /api/session" && c.pointer === "query.workspace")?.breaking).toBe(false);
    // The old delivery values are back: steer/queue gone from a sent enum breaks.
    const removed = d.changes.filter((c) => c.pointer === "requestBody.properties.delivery" && c.kind === "enum.value-removed");
    expect(removed.map((c) => c.breaking)).toEqual([true, true]);
  });
});
