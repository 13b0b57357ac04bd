/**
 * Renders packages/sdk/src/generated/operations.gen.ts from the pinned OpenAPI spec:
 * - `OPERATIONS`, the lean operation table (method, path, id patterns, scoping, response kind) that the
 *   full client builds its members from;
 * - one documented function per operation (`sessionGet(core, args)`) for tree-shaken imports through
 *   `@ocsdk/sdk/operations`, each carrying only its own table row;
 * - `OperationTree` and one interface per group, with the spec's summary/description as TSDoc on every
 *   member, so `oc.session.get` shows its docs on hover.
 * `pnpm check:generated` re-renders it and fails when the checked-in file is stale.
 *
 * Run: `npx tsx packages/sdk/scripts/gen-operations.ts`
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface Param {
  in: string;
  name: string;
  required?: boolean;
  schema?: { pattern?: string };
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  deprecated?: boolean;
  parameters?: Param[];
  requestBody?: { required?: boolean };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}
interface Spec {
  info: { "x-opencode-server-version"?: string };
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Handwritten helpers next to a generated group, named in the group's docs so the two are not confused. */
const HELPERS: Record<string, string> = {
  session: "For session handles that prompt, stream and clean up, use `new Sessions(oc)` (handwritten helpers).",
  event: "For the shared, reconnecting, typed event stream, use `new EventStream(oc)` (handwritten helper).",
};

/** hey-api's name for an operationId: `session.prompt_async` → `sessionPromptAsync`. */
export function functionName(operationId: string): string {
  const parts = operationId.split(/[._\-/]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p[0]?.toLowerCase() + p.slice(1) : p[0]?.toUpperCase() + p.slice(1))).join("");
}

const pascal = (s: string) => functionName(s).replace(/^./, (c) => c.toUpperCase());

interface Row {
  id: string;
  fn: string;
  method: string;
  path: string;
  doc: string[];
  deprecated: boolean;
  optionalArgs: boolean;
  argsType: string;
  dataType: string;
  entry: string;
  /** The row in the packed table: `id METHOD path scope response name=pattern…`, trailing defaults dropped. */
  packed: string;
}

function responseKind(op: Operation): string {
  const types = Object.entries(op.responses ?? {})
    .filter(([code]) => code.startsWith("2"))
    .flatMap(([, r]) => Object.keys(r.content ?? {}));
  if (types.some((t) => t.startsWith("text/event-stream"))) return "sse";
  if (types.some((t) => t.includes("json"))) return "json";
  if (types.some((t) => t.startsWith("text/"))) return "text";
  if (types.length) return "binary";
  return "none";
}

function rowsOf(spec: Spec): Row[] {
  const rows: Row[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      const params = op.parameters ?? [];
      const patterns: Record<string, string> = {};
      for (const p of params) if ((p.in === "path" || p.in === "query") && p.schema?.pattern) patterns[p.name] = p.schema.pattern;
      const names = new Set(params.filter((p) => p.in === "query").map((p) => p.name));
      // v2 routes (/api/…) scope through a deepObject `location`; their `directory` query is a filter, not a scope.
      const scope = names.has("location") ? "location" : names.has("directory") && !path.startsWith("/api/") ? "query" : "none";
      const kind = responseKind(op);
      // Positional and without trailing defaults: the table is in every full-client bundle.
      const fields = [JSON.stringify(op.operationId), `"${method.toUpperCase()}"`, JSON.stringify(path)];
      const rest = [
        scope === "none" ? "undefined" : `"${scope}"`,
        kind === "json" ? "undefined" : `"${kind}"`,
        Object.keys(patterns).length ? JSON.stringify(patterns) : "undefined",
      ];
      while (rest.at(-1) === "undefined") rest.pop();
      fields.push(...rest);
      const packedFields = [
        op.operationId,
        method.toUpperCase(),
        path,
        scope === "none" ? "-" : scope === "query" ? "q" : "l",
        kind === "json" ? "-" : kind,
      ];
      for (const [name, pattern] of Object.entries(patterns)) packedFields.push(`${name}=${pattern}`);
      while (packedFields.at(-1) === "-") packedFields.pop();
      for (const f of packedFields)
        if (/\s/.test(f)) throw new Error(`${op.operationId}: whitespace in ${JSON.stringify(f)} breaks the packed table`);
      const type = pascal(op.operationId);
      const required =
        params.some((p) => p.in === "path" || (p.in === "query" && p.required)) || op.requestBody?.required === true;
      const doc = [op.summary, op.description].filter((s): s is string => !!s?.trim()).map((s) => s.trim());
      rows.push({
        id: op.operationId,
        fn: functionName(op.operationId),
        method: method.toUpperCase(),
        path,
        doc: doc.length ? doc : [`\`${method.toUpperCase()} ${path}\``],
        deprecated: op.deprecated === true,
        optionalArgs: !required,
        argsType: `OperationArgsOf<T.${type}Data>`,
        dataType: kind === "sse" ? "Response" : `Ok<T.${type}Responses>`,
        entry: `/* @__PURE__ */ op(${fields.join(", ")})`,
        packed: packedFields.join(" "),
      });
    }
  }
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const escapeDoc = (s: string) => s.replace(/\*\//g, "*\\/");

function tsdoc(indent: string, paragraphs: string[], tags: string[] = []): string {
  const lines: string[] = [];
  paragraphs.forEach((p, i) => {
    if (i > 0) lines.push("");
    for (const l of escapeDoc(p).split("\n")) lines.push(l);
  });
  for (const t of tags) lines.push(t);
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */\n`;
}

interface Group {
  name: string;
  self?: Row;
  ops: Map<string, Row>;
  groups: Map<string, Group>;
}

function groupTree(rows: Row[]): Group {
  const root: Group = { name: "", ops: new Map(), groups: new Map() };
  const groupAt = (segs: string[]) => {
    let g = root;
    for (const s of segs) {
      let next = g.groups.get(s);
      if (!next) {
        next = { name: g.name ? `${g.name}.${s}` : s, ops: new Map(), groups: new Map() };
        g.groups.set(s, next);
      }
      g = next;
    }
    return g;
  };
  for (const row of rows) {
    const segs = row.id.split(".");
    groupAt(segs.slice(0, -1)).ops.set(segs[segs.length - 1] as string, row);
  }
  // An id that is both an operation and a parent (`vcs.diff` and `vcs.diff.raw`): a callable group.
  const attach = (g: Group) => {
    for (const [seg, child] of g.groups) {
      const self = g.ops.get(seg);
      if (self) {
        child.self = self;
        g.ops.delete(seg);
      }
      attach(child);
    }
  };
  attach(root);
  return root;
}

const groupType = (g: Group) => `${pascal(g.name)}Operations`;
const signature = (row: Row) => `(args${row.optionalArgs ? "?" : ""}: ${row.argsType}): APIPromise<${row.dataType}>`;
const opDoc = (row: Row, indent: string, example: string) =>
  tsdoc(
    indent,
    [...row.doc, `\`${row.method} ${row.path}\``],
    [...(row.deprecated ? ["@deprecated"] : []), `@example \`${example}\``],
  );

function renderGroups(root: Group): string {
  const out: string[] = [];
  const visit = (g: Group) => {
    const name = g.name ? groupType(g) : "OperationTree";
    const intro = g.name
      ? [
          `Operations under \`${g.name}\`: one member per HTTP route, plain data in and out.`,
          ...(HELPERS[g.name] ? [HELPERS[g.name] as string] : []),
        ]
      : ["Every operation of the spec, nested by operationId: `session.get` → `oc.session.get(…)`."];
    out.push(tsdoc("", intro, [`@example \`const ops: ${name} = oc${g.name ? `.${g.name}` : ""};\``]).trimEnd());
    out.push(`export interface ${name} {`);
    if (g.self) {
      out.push(opDoc(g.self, "  ", `await oc.${g.self.id}(${g.self.optionalArgs ? "" : "{ … }"})`).trimEnd());
      out.push(`  ${signature(g.self)};`);
    }
    const members = [
      ...[...g.ops.keys()].map((k) => ["op", k] as const),
      ...[...g.groups.keys()].map((k) => ["group", k] as const),
    ];
    members.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    for (const [kind, key] of members) {
      if (kind === "op") {
        const row = g.ops.get(key) as Row;
        out.push(opDoc(row, "  ", `await oc.${row.id}(${row.optionalArgs ? "" : "{ … }"})`).trimEnd());
        out.push(
          `  ${JSON.stringify(key) === `"${key}"` && /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}${signature(row)};`,
        );
      } else {
        const child = g.groups.get(key) as Group;
        const docRow = child.self;
        out.push(
          docRow
            ? opDoc(docRow, "  ", `await oc.${docRow.id}(${docRow.optionalArgs ? "" : "{ … }"})`).trimEnd()
            : tsdoc("  ", [
                `Operations under \`${child.name}\`.`,
                ...(HELPERS[child.name] ? [HELPERS[child.name] as string] : []),
              ]).trimEnd(),
        );
        out.push(`  ${key}: ${groupType(child)};`);
      }
    }
    out.push("}", "");
    for (const child of g.groups.values()) visit(child);
  };
  visit(root);
  return out.join("\n");
}

/** The file's full text for a spec. */
export function renderOperations(spec: Spec): string {
  const rows = rowsOf(spec);
  const table = rows.map((r) => `const ${r.fn}$: OperationDef = ${r.entry};`).join("\n");
  const fns = rows
    .map(
      (r) =>
        `${opDoc(r, "", `await ${r.fn}(core${r.optionalArgs ? "" : ", { … }"})`)}export function ${r.fn}(core: OperationRunner, args${r.optionalArgs ? "?" : ""}: ${r.argsType}): APIPromise<${r.dataType}> {\n  return core.callOperation(${r.fn}$, args) as APIPromise<${r.dataType}>;\n}`,
    )
    .join("\n\n");
  const sigs = rows
    .map((r) => `  ${JSON.stringify(r.id)}: ${signature(r).replace(/\): APIPromise/, ") => APIPromise")};`)
    .join("\n");
  return `// Generated by packages/sdk/scripts/gen-operations.ts from openapi/opencode.openapi.json. Do not edit.
// biome-ignore-all format: generated
// biome-ignore-all lint: generated
import type * as T from "@ocsdk/client";
import type { APIPromise, Ok, OperationArgsOf, OperationDef, OperationRunner, ResponseKind } from "../core/operation-types.js";

/** Server version the spec (and this SDK) was generated from. @example \`console.log(SPEC_SERVER_VERSION);\` */
export const SPEC_SERVER_VERSION = ${JSON.stringify(spec.info["x-opencode-server-version"] ?? "unknown")};

const op = (
  id: string,
  method: string,
  path: string,
  scope?: "query" | "location",
  response?: ResponseKind,
  patterns?: Readonly<Record<string, string>>,
): OperationDef => ({ id, method, path, scope, response, patterns });

${table}

// One row per operation, \`id METHOD path scope response name=pattern…\` (scope \`q\`uery or \`l\`ocation; \`-\`: none / json). A packed
// string is a fraction of the size of 188 object literals in a bundle; the per-operation \`$\` rows above
// exist only for the tree-shaken functions of \`@ocsdk/sdk/operations\`.
const TABLE = ${JSON.stringify(rows.map((r) => r.packed).join("\n"))};

/**
 * Every operation of the spec, keyed by operationId: method, path template, directory scoping
 * (\`query\`: \`directory\`/\`workspace\` query; \`location\`: v2 \`location[…]\`), response kind (default json)
 * and the spec's id patterns.
 *
 * @example \`OPERATIONS["session.get"].path; // "/session/{sessionID}"\`
 */
export const OPERATIONS: { readonly [Id in keyof OperationSignatures]: OperationDef } = /* @__PURE__ */ unpack(TABLE);

function unpack(table: string): { readonly [Id in keyof OperationSignatures]: OperationDef } {
  const out: Record<string, OperationDef> = {};
  for (const row of table.split("\\n")) {
    const [id = "", method = "", path = "", scope, response, ...patterns] = row.split(" ");
    out[id] = op(
      id,
      method,
      path,
      scope === "q" ? "query" : scope === "l" ? "location" : undefined,
      response === "-" ? undefined : (response as ResponseKind | undefined),
      patterns.length ? Object.fromEntries(patterns.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)])) : undefined,
    );
  }
  return out as { readonly [Id in keyof OperationSignatures]: OperationDef };
}

/** The signature of every operation, keyed by operationId. @example \`type Get = OperationSignatures["session.get"];\` */
export interface OperationSignatures {
${sigs}
}

${renderGroups(groupTree(rows))}
${fns}
`;
}

const specPath = fileURLToPath(new URL("../../../openapi/opencode.openapi.json", import.meta.url));
/** Where the table lives. */
export const OPERATIONS_FILE = fileURLToPath(new URL("../src/generated/operations.gen.ts", import.meta.url));

/** Renders from the checked-in spec. */
export function renderFromSpecFile(): string {
  return renderOperations(JSON.parse(readFileSync(specPath, "utf8")) as Spec);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(OPERATIONS_FILE, renderFromSpecFile());
  console.log(`wrote ${OPERATIONS_FILE}`);
}
