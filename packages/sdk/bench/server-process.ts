/**
 * The benches' servers in a child process, so the server's CPU does not count in the measured one.
 * In-process servers listen and close through @ocsdk/testing's `listenLoopback`/`closeServer`.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";

/**
 * Runs `source` (an ES module) with `node -e`; it listens on 127.0.0.1 port 0, prints the port on
 * stdout and exits when its stdin ends. `close()` ends stdin and waits for the exit.
 */
export async function serverProcess(source: string, args: string[] = []): Promise<{ url: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", source, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  return {
    url: `http://127.0.0.1:${Number(line.toString().trim())}`,
    close: async () => {
      const exited = once(child, "exit");
      child.stdin.end();
      await exited;
    },
  };
}

const SSE_SERVER = `
import { createServer } from "node:http";
const n = Number(process.argv[1]);
const sessions = Number(process.argv[3] ?? 1);
// One session, or events dealt round-robin to \`sessions\` sessions (ses_0, ses_1, …).
const sessionOf = (i) => (sessions > 1 ? "ses_" + (i % sessions) : "ses_bench");
const frame = (i) => "data: " + JSON.stringify({
  id: "evt_" + i.toString(16).padStart(12, "0"),
  type: "message.part.delta",
  properties: { sessionID: sessionOf(i), messageID: "msg_bench", partID: "prt_bench", field: "text", delta: "word" + i + " " },
}) + "\\n\\n";
const frames = Array.from({ length: n }, (_, i) => frame(i));
const payload = Buffer.from(frames.join(""));
// In 64 KiB slices, as a socket would deliver them; or as opencode writes them: one chunk per event.
const perEvent = process.argv[2] === "per-event";
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  // Honouring backpressure; then held open like opencode.
  let o = 0;
  const pump = () => {
    const end = perEvent ? frames.length : payload.length;
    while (o < end) {
      const ok = res.write(perEvent ? frames[o] : payload.subarray(o, o + 65536));
      o += perEvent ? 1 : 65536;
      if (!ok) return void res.once("drain", pump);
    }
  };
  pump();
  req.on("close", () => { o = Infinity; });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0)).resume();
`;

/**
 * An SSE server in a child process: every GET gets `events` frames shaped like opencode's
 * `message.part.delta` (ids `evt_…`, session `ses_bench`), then the stream stays open. Written in
 * 64 KiB slices, or with `perEvent` as opencode writes them: one HTTP chunk per event. With
 * `sessions` > 1 the events are dealt round-robin to sessions `ses_0` … `ses_<sessions-1>`.
 */
export function sseServerProcess(
  events: number,
  perEvent = false,
  sessions = 1,
): Promise<{ url: string; close: () => Promise<void> }> {
  return serverProcess(SSE_SERVER, [String(events), perEvent ? "per-event" : "slices", String(sessions)]);
}
