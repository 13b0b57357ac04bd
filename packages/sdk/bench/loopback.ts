/** The benches' servers: listening on a free loopback port, closed with every connection. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts `server` on 127.0.0.1 with a port the OS picks. */
export async function listenLoopback(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// Plain JS run by `node -e`: the server's CPU must not count in the consumer's process.
const SSE_SERVER = `
import { createServer } from "node:http";
const n = Number(process.argv[1]);
const frame = (i) => "data: " + JSON.stringify({
  id: "evt_" + i.toString(16).padStart(12, "0"),
  type: "message.part.delta",
  properties: { sessionID: "ses_bench", messageID: "msg_bench", partID: "prt_bench", field: "text", delta: "word" + i + " " },
}) + "\\n\\n";
const payload = Buffer.from(Array.from({ length: n }, (_, i) => frame(i)).join(""));
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  // In 64 KiB slices, as a socket would deliver them, honouring backpressure; then held open like opencode.
  let o = 0;
  const pump = () => {
    while (o < payload.length) {
      const ok = res.write(payload.subarray(o, o + 65536));
      o += 65536;
      if (!ok) return void res.once("drain", pump);
    }
  };
  pump();
  req.on("close", () => { o = payload.length; });
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.stdin.on("end", () => process.exit(0)).resume();
`;

/**
 * An SSE server in a child process: every GET gets `events` frames shaped like opencode's
 * `message.part.delta` (ids `evt_…`, session `ses_bench`), then the stream stays open.
 */
export async function sseServerProcess(events: number): Promise<{ url: string; close: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--input-type=module", "-e", SSE_SERVER, String(events)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return {
    url: `http://127.0.0.1:${Number(line.toString().trim())}`,
    close: async () => {
      const exited = once(child, "exit");
      child.stdin?.end();
      await exited;
    },
  };
}
