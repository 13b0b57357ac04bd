// Lists the server's sessions, then appends every event as it arrives. Runs in any browser.
import { createOpencodeClient, EventStream } from "@ocsdk/sdk";

/**
 * @param {{ baseUrl: string, document?: Document, signal?: AbortSignal }} options
 */
export async function start({ baseUrl, document = globalThis.document, signal }) {
  const oc = createOpencodeClient({ baseUrl, maxRetries: 0 });
  const sessions = document.getElementById("sessions");
  const events = document.getElementById("events");

  for (const session of await oc.session.list()) {
    const item = document.createElement("li");
    item.textContent = `${session.title} (${session.id})`;
    sessions.append(item);
  }
  for await (const event of EventStream.of(oc).subscribe({ signal })) {
    const item = document.createElement("li");
    item.textContent = event.type;
    events.append(item);
  }
}

if (globalThis.document?.getElementById("sessions")) {
  const server = new URLSearchParams(location.search).get("server") ?? location.origin;
  start({ baseUrl: server }).catch((error) => {
    document.body.append(`Error: ${error.message}`);
  });
}
