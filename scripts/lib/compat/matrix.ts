/**
 * The compatibility matrix: journey results per server version as a Markdown table (the README's,
 * between markers), read back from the README, and the rows a spec change touches.
 */
import { OPERATIONS } from "../../../packages/sdk/src/generated/operations.gen.ts";
import type { SpecDiff } from "../spec-diff.ts";
import { FEATURES, type Feature, type JourneyResult } from "./journeys.ts";

/** One measured column. */
export interface VersionRun {
  readonly version: string;
  /** `pin`, `newest`, `outside the range`, …: shown under the version. */
  readonly label?: string;
  readonly results: readonly JourneyResult[];
}

/** Cells by version, then feature. */
export type Matrix = Map<string, Map<string, string>>;

export const README_BEGIN = "<!-- compat:begin (written by `pnpm compat`) -->";
export const README_END = "<!-- compat:end -->";

/**
 * A cell's text: `works`, `degrades: how`, `not available: why`, `FAILS: why`.
 *
 * @example
 * ```ts
 * cellText({ feature: "abort", status: "works", note: "", detail: "" }); // "works"
 * ```
 */
export function cellText(result: Pick<JourneyResult, "status" | "note">): string {
  const note = result.note.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
  switch (result.status) {
    case "works":
      return "works";
    case "degrades":
      return `degrades: ${note}`;
    case "unavailable":
      return `not available: ${note}`;
    default:
      return `FAILS: ${note}`;
  }
}

/**
 * The matrix as a Markdown table: one row per feature, one column per version (oldest first).
 *
 * @example
 * ```ts
 * console.log(formatMatrix([{ version: "1.18.33", label: "pin", results }]));
 * ```
 */
export function formatMatrix(runs: readonly VersionRun[]): string {
  const header = `| feature | ${runs.map((r) => `${r.version}${r.label ? ` (${r.label})` : ""}`).join(" | ")} |`;
  const rule = `| --- | ${runs.map(() => "---").join(" | ")} |`;
  const rows = FEATURES.map((feature) => {
    const cells = runs.map((r) => {
      const result = r.results.find((x) => x.feature === feature);
      return result ? cellText(result) : "not run";
    });
    return `| ${feature} | ${cells.join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}

/**
 * Reads the matrix between the README's markers back (versions without their labels).
 *
 * @example
 * ```ts
 * parseMatrix(readFileSync("packages/sdk/README.md", "utf8")).get("1.17.19")?.get("abort"); // "works"
 * ```
 */
export function parseMatrix(readme: string): Matrix {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error("the README has no compatibility matrix between its markers");
  const lines = readme
    .slice(begin + README_BEGIN.length, end)
    .split("\n")
    .filter((l) => l.startsWith("|"));
  const split = (line: string) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
  const [head, , ...rows] = lines;
  const versions = split(head ?? "")
    .slice(1)
    .map((v) => v.split(" ")[0] as string);
  const matrix: Matrix = new Map(versions.map((v) => [v, new Map<string, string>()]));
  for (const row of rows) {
    const [feature, ...cells] = split(row);
    for (const [i, v] of versions.entries()) matrix.get(v)?.set(feature as string, cells[i] ?? "");
  }
  return matrix;
}

/**
 * The README with its matrix region replaced by `table`.
 *
 * @example
 * ```ts
 * writeFileSync(path, replaceMatrix(readFileSync(path, "utf8"), formatMatrix(runs)));
 * ```
 */
export function replaceMatrix(readme: string, table: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error("the README has no compatibility matrix between its markers");
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** What each row of the matrix uses of the server: operations (by operationId) and event types. */
export const ROW_DEPENDENCIES: Record<Feature, { operations: readonly string[]; events: readonly string[] }> = {
  health: { operations: ["global.health"], events: [] },
  sessions: {
    operations: ["session.create", "session.update", "session.list", "session.get", "session.delete"],
    events: [],
  },
  "prompt streaming": {
    operations: ["event.subscribe", "session.prompt_async", "session.messages", "session.message", "session.status"],
    events: ["message.updated", "message.part.updated", "message.part.delta", "session.status", "session.idle", "session.error"],
  },
  "tool with permission": {
    operations: ["event.subscribe", "session.prompt_async", "session.messages", "permission.list", "permission.reply"],
    events: ["message.part.updated", "permission.asked", "permission.replied"],
  },
  abort: { operations: ["session.prompt_async", "session.abort", "session.status"], events: ["session.status", "session.idle"] },
  "queued prompts": {
    operations: ["session.prompt_async", "session.messages", "session.message"],
    events: ["message.updated", "session.status", "session.idle"],
  },
  "steered prompts": {
    operations: ["session.prompt_async", "session.messages", "session.message", "session.status"],
    events: ["message.updated", "session.status", "session.idle"],
  },
  events: { operations: ["event.subscribe"], events: ["session.created", "session.updated", "server.connected"] },
  restart: { operations: ["event.subscribe", "global.health", "session.list"], events: ["session.updated", "server.connected"] },
  "v2 API": { operations: Object.keys(OPERATIONS).filter((id) => id.startsWith("v2.")), events: [] },
};

/** A row of the matrix a spec change may move, with the changes that touch it. */
export interface RowChange {
  readonly feature: Feature;
  readonly reasons: readonly string[];
}

/**
 * The rows of the matrix a spec diff touches: a change to an operation a row uses, or an event type it
 * reads added or removed. Rows not listed keep their cells unless the server's behaviour changed
 * without a spec change (what `pnpm compat` measures).
 *
 * @example
 * ```ts
 * for (const row of matrixRowsChanged(diffSpecs(oldDoc, newDoc))) console.log(row.feature, row.reasons[0]);
 * ```
 */
export function matrixRowsChanged(diff: SpecDiff): RowChange[] {
  const locationOf = new Map<string, string>();
  for (const op of Object.values(OPERATIONS)) locationOf.set(op.id, `${op.method} ${op.path}`);
  const out: RowChange[] = [];
  for (const feature of FEATURES) {
    const deps = ROW_DEPENDENCIES[feature];
    const locations = new Set(deps.operations.map((id) => locationOf.get(id)));
    const reasons = diff.changes
      .filter((c) => {
        if (c.kind === "event.added" || c.kind === "event.removed") {
          return c.location === "events GET /event" && deps.events.some((e) => c.message.includes(`event type ${e} `));
        }
        if (!locations.has(c.location)) return false;
        // Operations added are new columns of nothing; the rest change how a call behaves.
        return c.kind !== "operation.added" && (c.breaking || c.kind.startsWith("operation."));
      })
      .map((c) => `${c.location}${c.pointer ? ` ${c.pointer}` : ""}: ${c.message}`);
    if (reasons.length) out.push({ feature, reasons });
  }
  return out;
}

/**
 * The rows as text for a summary (upgrade, spec diff): each row with its first reasons.
 *
 * @example
 * ```ts
 * process.stdout.write(formatRowChanges(matrixRowsChanged(diff)));
 * ```
 */
export function formatRowChanges(rows: readonly RowChange[], limit = 3): string {
  if (rows.length === 0) return "compatibility matrix: no row uses anything this diff changes\n";
  const lines = [`compatibility matrix: ${rows.length} row(s) may change (measure with pnpm compat):`];
  for (const row of rows) {
    lines.push(`  ${row.feature} (${row.reasons.length} change(s))`);
    for (const r of row.reasons.slice(0, limit)) lines.push(`    - ${r}`);
    if (row.reasons.length > limit) lines.push(`    - … ${row.reasons.length - limit} more`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * One line for the upgrade summary: the rows of the matrix the spec diff to `version` touches.
 *
 * @example
 * ```ts
 * matrixRowsLine(diff, "1.19.5"); // "v2 API (measure: pnpm compat --versions 1.19.5)"
 * ```
 */
export function matrixRowsLine(diff: SpecDiff, version: string): string {
  const rows = matrixRowsChanged(diff);
  return `${rows.length ? rows.map((r) => r.feature).join(", ") : "none by the spec"} (measure: pnpm compat --versions ${version})`;
}
