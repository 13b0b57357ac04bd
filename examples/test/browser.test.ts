/**
 * examples/browser: the page bundles with esbuild for the browser platform, and the bundle lists
 * sessions and streams events against the mock, checked here without a DOM (a stand-in document).
 * The runtime matrix runs the same page in headless Chromium.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startMockServer } from "@ocsdk/testing";
import { expect, it } from "vitest";
import { example, waitFor } from "./run.ts";

const src = (p: string) => fileURLToPath(new URL(`../../packages/${p}`, import.meta.url));

interface Item {
  textContent: string;
}
const standInDocument = () => {
  const lists: Record<string, Item[]> = { sessions: [], events: [] };
  return {
    lists,
    document: {
      getElementById: (id: string) => ({ append: (item: Item) => lists[id]?.push(item) }),
      createElement: () => ({ textContent: "" }),
    },
  };
};

it("bundles for browsers and lists sessions, then streams events", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ocsdk-browser-"));
  await using mock = await startMockServer({ heartbeatMs: 0 });
  const ac = new AbortController();
  try {
    const { buildPage } = (await import(pathToFileURL(example("browser/build.mjs")).href)) as {
      buildPage: (o: object) => Promise<{ errors: unknown[]; metafile: { outputs: Record<string, { bytes: number }> } }>;
    };
    const outfile = join(dir, "page.js");
    const result = await buildPage({
      outfile,
      alias: { "@ocsdk/sdk": src("sdk/src/index.ts"), "@ocsdk/client": src("client/src/index.ts") },
    });
    expect(result.errors).toEqual([]);

    const sessions = [
      {
        id: "ses_page1",
        slug: "a",
        projectID: "p",
        directory: "/r",
        title: "first",
        version: "1",
        time: { created: 1, updated: 1 },
      },
      {
        id: "ses_page2",
        slug: "b",
        projectID: "p",
        directory: "/r",
        title: "second",
        version: "1",
        time: { created: 2, updated: 2 },
      },
    ];
    mock.override("GET /session", { body: sessions });
    const { start } = (await import(pathToFileURL(outfile).href)) as {
      start: (o: { baseUrl: string; document: unknown; signal: AbortSignal }) => Promise<void>;
    };
    const page = standInDocument();
    const running = start({ baseUrl: mock.url, document: page.document, signal: ac.signal }).catch((e: unknown) => e);
    await mock.events.waitForConnections(1);
    expect(page.lists.sessions?.map((i) => i.textContent)).toEqual(["first (ses_page1)", "second (ses_page2)"]);
    mock.events.emit({ type: "session.status", properties: { sessionID: "ses_page1", status: { type: "busy" } } });
    mock.events.emit({ type: "session.idle", properties: { sessionID: "ses_page1" } });
    await waitFor(() => (page.lists.events?.length ?? 0) >= 3, "three events on the page");
    expect(page.lists.events?.map((i) => i.textContent)).toEqual(["server.connected", "session.status", "session.idle"]);
    ac.abort();
    await running;
    mock.assertNoViolations();
  } finally {
    ac.abort();
    await rm(dir, { recursive: true, force: true });
  }
});
