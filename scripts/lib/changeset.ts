/**
 * The changeset a server upgrade writes, and the version-bump policy behind it.
 *
 * Policy (also in the README, "Upgrading the server"). @ocsdk/client, @ocsdk/sdk and
 * @ocsdk/testing are one `fixed` group (.changeset/config.json): they always share a version,
 * so the bump named here for two of them releases all three:
 *
 * | spec diff                          | from 1.0.0 | while 0.x |
 * | ---------------------------------- | ---------- | --------- |
 * | any breaking change                | major      | minor     |
 * | only non-breaking changes          | minor      | patch     |
 * | no API change (server pin only)    | patch      | patch     |
 *
 * While 0.x, semver leaves everything open; we keep its spirit by shifting one place right,
 * so `^0.y.z` ranges (which never cross a minor) never pull in a breaking upgrade.
 * The pin moving is always at least a patch: `spawnServer()` starts a different server.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SpecDiff } from "./spec-diff.ts";

/** A semver bump level as changesets spells it. */
export type Bump = "major" | "minor" | "patch";

/** The packages an upgrade's changeset names (their `fixed` group releases @ocsdk/testing with them). */
export const UPGRADE_PACKAGES = ["@ocsdk/client", "@ocsdk/sdk"] as const;

/**
 * Picks the bump for a diff, given the packages' current version.
 *
 * @example
 * ```ts
 * chooseBump({ breaking: 2, nonBreaking: 5 }, "0.1.0"); // { bump: "minor", reason: "2 breaking change(s) while 0.x" }
 * ```
 */
export function chooseBump(
  diff: Pick<SpecDiff, "breaking" | "nonBreaking">,
  currentVersion: string,
): { bump: Bump; reason: string } {
  const major = Number.parseInt(currentVersion.split(".")[0] ?? "0", 10);
  const stable = Number.isFinite(major) && major >= 1;
  const era = stable ? "" : " while 0.x";
  if (diff.breaking > 0) return { bump: stable ? "major" : "minor", reason: `${diff.breaking} breaking change(s)${era}` };
  if (diff.nonBreaking > 0) {
    return { bump: stable ? "minor" : "patch", reason: `${diff.nonBreaking} non-breaking change(s), none breaking${era}` };
  }
  return { bump: "patch", reason: "no API change; only the pinned server moves" };
}

/** The file name for an upgrade's changeset (one per target version, so a rerun overwrites it). */
export function changesetName(toVersion: string): string {
  return `upgrade-opencode-${toVersion.replace(/[^0-9A-Za-z.-]/g, "-")}`;
}

/**
 * Renders the changeset markdown: frontmatter with the bump per package, then what changed.
 *
 * @example
 * ```ts
 * const md = renderChangeset({ from: "1.18.33", to: "1.19.0", diff, currentVersion: "0.1.0" });
 * ```
 */
export function renderChangeset(input: {
  from: string;
  to: string;
  diff: SpecDiff;
  currentVersion: string;
  maxItems?: number;
}): string {
  const { from, to, diff } = input;
  const max = input.maxItems ?? 40;
  const { bump, reason } = chooseBump(diff, input.currentVersion);
  const lines = ["---", ...UPGRADE_PACKAGES.map((p) => `"${p}": ${bump}`), "---", ""];
  lines.push(`Upgrade the pinned OpenCode server (opencode-ai) from ${from} to ${to}; client regenerated from its spec.`, "");
  lines.push(
    `Spec diff: ${diff.changes.length} change(s), ${diff.breaking} breaking, ${diff.nonBreaking} non-breaking (${bump}: ${reason}).`,
  );
  const counts = Object.entries(diff.counts).map(([k, n]) => `${k} ${n}`);
  if (counts.length) lines.push(`Per class: ${counts.join(", ")}.`);
  const breaking = diff.changes.filter((c) => c.breaking);
  if (breaking.length) {
    lines.push("", "Breaking for SDK users:", "");
    for (const c of breaking.slice(0, max)) lines.push(`- \`${c.location}\`${c.pointer ? ` ${c.pointer}` : ""}: ${c.message}`);
    if (breaking.length > max) lines.push(`- … and ${breaking.length - max} more (run \`pnpm spec-diff\` for all)`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the changeset into `<changesetDir>/<name>.md` and returns its path and bump.
 *
 * @example
 * ```ts
 * await writeChangeset(".changeset", { from: "1.18.33", to: "1.19.0", diff, currentVersion: "0.1.0" });
 * ```
 */
export async function writeChangeset(
  changesetDir: string,
  input: { from: string; to: string; diff: SpecDiff; currentVersion: string },
): Promise<{ path: string; bump: Bump }> {
  await mkdir(changesetDir, { recursive: true });
  const path = join(changesetDir, `${changesetName(input.to)}.md`);
  await writeFile(path, renderChangeset(input));
  return { path, bump: chooseBump(input.diff, input.currentVersion).bump };
}
