// A triage helper built on @ocsdk/sdk: opens a session per issue, asks the agent, keeps the answer.
import { createOpencodeClient, NotFoundError, Sessions } from "@ocsdk/sdk";

/**
 * @param {{ baseUrl: string, password?: string }} options
 */
export function createTriage({ baseUrl, password }) {
  const oc = createOpencodeClient({ baseUrl, password, maxRetries: 0, logLevel: "off" });

  return {
    /** Opens a session titled after the issue. */
    async open(issue) {
      const session = await new Sessions(oc).create({ title: `triage: ${issue.title}` });
      return session.id;
    },

    /** Renames a session; false when it no longer exists. */
    async rename(sessionID, title) {
      try {
        await oc.session.update({ path: { sessionID }, body: { title } });
        return true;
      } catch (error) {
        if (error instanceof NotFoundError) return false;
        throw error;
      }
    },

    /** Asks the agent about the issue; streams deltas to `onText`, resolves with the whole answer. */
    async ask(sessionID, issue, onText = () => {}) {
      const session = await new Sessions(oc).get(sessionID);
      const run = session.prompt(`Triage this issue: ${issue.title}\n\n${issue.body}`);
      for await (const event of run) if (event.type === "text.delta") onText(event.delta);
      return run.finalText();
    },
  };
}
