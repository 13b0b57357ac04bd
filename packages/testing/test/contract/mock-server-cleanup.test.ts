/**
 * The mock server leaves nothing in TMPDIR: its mock-friendly copy of the spec lives in a dir of
 * its own, there while the mock runs and gone after `close()`. This file has its own TMPDIR
 * (vitest runs each file in its own process), so the listing is this file's alone.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMockServer } from "@ocsdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
const previous = process.env.TMPDIR;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ocsdk-mock-cleanup-"));
  process.env.TMPDIR = dir;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("startMockServer", () => {
  it("removes its mock spec on close", async () => {
    const mock = await startMockServer({ heartbeatMs: 0 });
    let closed = false;
    try {
      const entries = await readdir(dir);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatch(/^ocsdk-mock-spec-/);
      expect(existsSync(join(dir, entries[0] as string, "opencode.mock.openapi.json"))).toBe(true);
      // The mock answers from that copy.
      expect((await fetch(`${mock.url}/session`)).status).toBe(200);
      await mock.close();
      closed = true;
      expect(await readdir(dir)).toEqual([]);
    } finally {
      if (!closed) await mock.close();
    }
  });
});
