/** The permission policy: the matcher (deny wins, allow needs every pattern, nothing allowed by default) and its setup. */
import { createServer } from "node:http";
import {
  AuthenticationError,
  applyPermissionPolicy,
  createOpencodeClient,
  EventStream,
  evaluatePermission,
  type PermissionPolicy,
} from "@ocsdk/sdk";
import { closeServer, listenLoopback } from "@ocsdk/test-kit";
import { describe, expect, it } from "vitest";

const req = (permission: string, ...patterns: string[]) => ({ permission, patterns });

describe("evaluatePermission", () => {
  const policy: PermissionPolicy = {
    allow: ["read", "bash:git status", "bash:ls*", "edit:src/*"],
    deny: ["bash:rm *", "bash:*sudo*"],
    ask: ["edit", "bash:git push*"],
  };

  it.each([
    [req("read", "README.md"), "allow", "read"],
    [req("bash", "git status"), "allow", "bash:git status"],
    [req("bash", "ls -la"), "allow", "bash:ls*"],
    [req("bash", "rm -rf /"), "deny", "bash:rm *"],
    [req("bash", "ls", "sudo reboot"), "deny", "bash:*sudo*"],
    [req("bash", "git push origin main"), "ask", "bash:git push*"],
    [req("edit", "src/a.ts"), "allow", "edit:src/*"],
    [req("edit", "src/a.ts", "package.json"), "ask", "edit"],
    [req("bash", "curl example.com"), "deny", "fallback"],
    // A compound command: one pattern per command, each decided on its own.
    [req("bash", "git status", "ls -la"), "allow", "bash:git status, bash:ls*"],
    [req("bash", "ls", "ls -la"), "allow", "bash:ls*"],
    [req("bash", "ls", "curl example.com"), "deny", "fallback"],
    [req("bash", "echo $(rm -rf y)", "rm -rf y"), "deny", "bash:rm *"],
    [req("bash", "ls", "git push origin main"), "ask", "bash:git push*"],
    [req("webfetch"), "deny", "fallback"],
  ])("%o → %s by %s", (request, verdict, rule) => {
    expect(evaluatePermission(policy, request)).toEqual({ verdict, rule });
  });

  it("an ask rule never carries a pattern no rule covers", () => {
    const askSrc: PermissionPolicy = { ask: ["edit:src/*"] };
    expect(evaluatePermission(askSrc, req("edit", "src/a.ts", "package.json"))).toEqual({ verdict: "deny", rule: "fallback" });
    expect(evaluatePermission({ ...askSrc, fallback: "ask" }, req("edit", "src/a.ts", "package.json")).verdict).toBe("ask");
  });

  it("nothing is allowed by an empty policy; fallback ask is opt-in", () => {
    expect(evaluatePermission({}, req("read", "x")).verdict).toBe("deny");
    expect(evaluatePermission({ fallback: "ask" }, req("read", "x")).verdict).toBe("ask");
  });

  it("maps the design guide's settings", () => {
    const guide = { allowed_commands: ["git status", "npm test"], blocked_commands: ["rm -rf"], require_confirmation: true };
    const mapped: PermissionPolicy = {
      allow: guide.allowed_commands.map((c) => `bash:${c}`),
      deny: guide.blocked_commands.map((c) => `bash:${c}*`),
      ...(guide.require_confirmation ? { ask: ["*"] } : {}),
    };
    expect(evaluatePermission(mapped, req("bash", "npm test")).verdict).toBe("allow");
    expect(evaluatePermission(mapped, req("bash", "rm -rf build")).verdict).toBe("deny");
    expect(evaluatePermission(mapped, req("edit", "a.ts")).verdict).toBe("ask");
  });
});

describe("applyPermissionPolicy", () => {
  it("fails its setup with the typed error when it cannot listen (wrong password)", async () => {
    // The event stream's answer to a wrong password.
    const server = createServer((_req, res) =>
      res.writeHead(401, { "content-type": "application/json" }).end('{"message":"no"}'),
    );
    const url = await listenLoopback(server);
    try {
      const oc = createOpencodeClient({ baseUrl: url, password: "wrong", logLevel: "off" });
      await expect(applyPermissionPolicy(oc, { allow: ["read"] })).rejects.toBeInstanceOf(AuthenticationError);
      expect(EventStream.of(oc).subscriberCount).toBe(0);
    } finally {
      await closeServer(server);
    }
  });
});
