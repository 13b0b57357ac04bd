// Answers every permission request of a server by policy and logs each decision as one JSON line.
//   OPENCODE_BASE_URL=http://127.0.0.1:4096 OPENCODE_SERVER_PASSWORD=… node bot.js
// The server asks only for what its config marks "ask", e.g. { "permission": { "bash": "ask" } }.
// Stops on SIGINT/SIGTERM.
import { applyPermissionPolicy, createOpencodeClient, EventStream } from "@ocsdk/sdk";

const oc = createOpencodeClient();
const policy = await applyPermissionPolicy(oc, {
  allow: ["read", "bash:ls*", "bash:git status*", "bash:git diff*"],
  deny: ["bash:rm *", "bash:*sudo*", "bash:git push*"],
  // Anything else is denied: the default fallback.
});

// The server confirms each reply with a permission.replied event; log it with the rule that decided.
const stopped = new AbortController();
const logging = (async () => {
  for await (const event of EventStream.of(oc).subscribe({ types: ["permission.replied"], signal: stopped.signal })) {
    const decision = policy.decisions.find((d) => d.request.id === event.properties.requestID);
    const { permission, patterns } = decision?.request ?? {};
    console.log(JSON.stringify({ permission, patterns, reply: event.properties.reply, rule: decision?.rule }));
  }
})().catch((error) => {
  if (!stopped.signal.aborted) throw error;
});
console.error("permission bot: listening");

const stop = async () => {
  stopped.abort();
  await logging;
  await policy.close();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
