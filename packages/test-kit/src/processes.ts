import { readdir, readFile } from "node:fs/promises";

/**
 * Pids of running opencode server processes whose environment or command line
 * contains `marker` (Linux /proc). Used to prove that tests leave no server behind.
 *
 * @example
 * ```ts
 * expect(await listOpencodeProcesses(dataDir)).toEqual([]);
 * ```
 */
export async function listOpencodeProcesses(marker?: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0");
      if (!cmdline.some((part) => /(^|\/)opencode(\.exe)?$/.test(part)) || !cmdline.includes("serve")) continue;
      if (marker) {
        const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
        if (!environ.includes(marker) && !cmdline.join(" ").includes(marker)) continue;
      }
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // Zombies are already dead; only their parent has not reaped them yet.
      if (stat.split(") ")[1]?.startsWith("Z")) continue;
      pids.push(Number(entry));
    } catch {
      /* process ended while we looked */
    }
  }
  return pids;
}
