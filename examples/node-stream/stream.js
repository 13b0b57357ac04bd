// Streams one prompt's answer to stdout.
//   OPENCODE_BASE_URL=http://127.0.0.1:4096 OPENCODE_SERVER_PASSWORD=… node stream.js "What does this repo do?"
// Without OPENCODE_BASE_URL it starts the opencode binary installed with the `opencode-ai` package.
import { createOpencodeClient, Sessions } from "@ocsdk/sdk";
import { spawnServer } from "@ocsdk/sdk/node";

const question = process.argv[2] ?? "What does this repository do?";
const server = process.env.OPENCODE_BASE_URL ? undefined : await spawnServer();
const oc = createOpencodeClient(server ? { baseUrl: server.url, password: server.password } : {});

try {
  const session = await new Sessions(oc).create({ title: "node-stream example" });
  const run = session.prompt(question);
  for await (const event of run) {
    if (event.type === "text.delta") process.stdout.write(event.delta);
    if (event.type === "tool.started") process.stderr.write(`\n[tool ${event.tool}]\n`);
  }
  process.stdout.write("\n");
  const message = await run.finalMessage();
  process.stderr.write(`done: ${message.info.id}\n`);
} finally {
  await server?.close();
}
