/**
 * hey-api plugin `ocsdk/operations`: in the same openapi-ts run as the client, walks the parsed
 * operations and writes the SDK's operation table (packages/sdk/src/generated/operations.gen.ts):
 * - `OPERATIONS`: method, path template, scope, response kind, Accept media types and id patterns,
 *   packed into one string (unpacked by the hand-written `core/operation-table.ts`);
 * - one documented function per operation (`sessionGet(core, args)`) for `@ocsdk/sdk/operations`;
 * - `OperationSignatures`, `OperationTree` and one interface per group, with the spec's text as TSDoc.
 * Type names (`SessionGetData`, `SessionGetResponses`) are the symbols `@hey-api/typescript`
 * registered for each operation, asked for by operation id, never re-derived from a string.
 *
 * Why the plugin writes its file itself instead of through hey-api's symbol files: a symbol's
 * `getFilePath` can place a file outside the output folder, but hey-api then imports the types by
 * relative path into packages/client/src/generated (tried with 0.99.0: `../out/gen/types.gen.js`),
 * while this table belongs to the SDK and must import the client by package name (`@ocsdk/client`),
 * so the arrow stays sdk → client and the SDK builds from its own `src`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type DefinePlugin, definePluginConfig, type IR } from "@hey-api/openapi-ts";

interface UserConfig {
  name: "ocsdk/operations";
  /** Absolute path of the file to write. */
  output: string;
}
type OperationsPlugin = DefinePlugin<UserConfig>;

/** Handwritten helpers next to a generated group, named in the group's docs so the two are not confused. */
const HELPERS: Record<string, string> = {
  session: "For session handles that prompt, stream and clean up, use `new Sessions(oc)` (handwritten helpers).",
  event: "For the shared, reconnecting, typed event stream, use `EventStream.of(oc)` (handwritten helper).",
};

type Kind = "json" | "sse" | "text" | "binary" | "none";

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
  /** Arguments of `op(…)` for the row's tree-shakable function. */
  fields: string[];
  /** The row in the packed table: `id METHOD path scope response accept name=pattern…`, trailing defaults dropped. */
  packed: string;
}

/** The media types of the 2xx answers, without parameters (`text/x-diff; charset=utf-8` → `text/x-diff`). */
function successMediaTypes(operation: IR.OperationObject): string[] {
  const types = Object.entries(operation.responses ?? {})
    .filter(([code]) => code.startsWith("2"))
    .map(([, r]) => r?.mediaType?.split(";")[0]?.trim().toLowerCase())
    .filter((t): t is string => !!t);
  return [...new Set(types)];
}

function responseKind(types: string[]): Kind {
  if (types.includes("text/event-stream")) return "sse";
  if (types.some((t) => t === "application/json" || t.endsWith("+json"))) return "json";
  if (types.some((t) => t.startsWith("text/"))) return "text";
  if (types.length) return "binary";
  return "none";
}

/**
 * How the client's `directory`/`workspace` reach an operation, from the query parameters it declares:
 * a `location` object (v2 deepObject, or its `location[…]` members spelled out) or plain
 * `directory`/`workspace`. An operation that declares neither is left unscoped.
 */
function scopeOf(queryNames: string[]): "query" | "location" | undefined {
  if (queryNames.some((n) => n === "location" || n.startsWith("location["))) return "location";
  if (queryNames.includes("directory") || queryNames.includes("workspace")) return "query";
  return undefined;
}

function rowOf(plugin: OperationsPlugin["Instance"], operation: IR.OperationObject): Row {
  const id = operation.operationId ?? operation.id;
  const method = operation.method.toUpperCase();
  const path = String(operation.path);
  const query = Object.values(operation.parameters?.query ?? {});
  const pathParams = Object.values(operation.parameters?.path ?? {});
  const patterns: Record<string, string> = {};
  for (const p of [...pathParams, ...query]) if (p.schema.pattern) patterns[p.name] = p.schema.pattern;
  const scope = scopeOf(query.map((p) => p.name));
  const types = successMediaTypes(operation);
  const kind = responseKind(types);
  // Accept: the kind's own type says it for json and sse; binary and text routes name theirs.
  const accept = kind === "binary" || kind === "text" ? types.join(",") : undefined;

  const fields = [JSON.stringify(id), `"${method}"`, JSON.stringify(path)];
  const rest = [
    scope ? `"${scope}"` : "undefined",
    kind === "json" ? "undefined" : `"${kind}"`,
    Object.keys(patterns).length ? JSON.stringify(patterns) : "undefined",
    accept ? JSON.stringify(accept) : "undefined",
  ];
  while (rest.at(-1) === "undefined") rest.pop();
  fields.push(...rest);

  const packedFields = [
    id,
    method,
    path,
    scope === undefined ? "-" : scope === "query" ? "q" : "l",
    kind === "json" ? "-" : kind,
    accept ?? "-",
  ];
  for (const [name, pattern] of Object.entries(patterns)) packedFields.push(`${name}=${pattern}`);
  while (packedFields.at(-1) === "-") packedFields.pop();
  for (const f of packedFields)
    if (/\s/.test(f)) throw new Error(`${id}: whitespace in ${JSON.stringify(f)} breaks the packed table`);

  // The types @hey-api/typescript registered for this operation (its `…Data` and `…Responses`).
  const typeName = (role: "data" | "responses") =>
    plugin.querySymbol({ category: "type", resource: "operation", resourceId: operation.id, role })?.name;
  const data = typeName("data");
  const responses = typeName("responses");
  if (!data) throw new Error(`${id}: @hey-api/typescript registered no data type`);

  const required = pathParams.length > 0 || query.some((p) => p.required) || operation.body?.required === true;
  const doc = [operation.summary, operation.description].filter((s): s is string => !!s?.trim()).map((s) => s.trim());
  return {
    id,
    fn: functionName(id),
    method,
    path,
    doc: doc.length ? doc : [`\`${method} ${path}\``],
    deprecated: operation.deprecated === true,
    optionalArgs: !required,
    argsType: `OperationArgsOf<T.${data}>`,
    dataType: kind === "sse" ? "Response" : responses ? `Ok<T.${responses}>` : "void",
    fields,
    packed: packedFields.join(" "),
  };
}

/** The function name of an operationId, as `@hey-api/sdk` names its flat functions: `session.prompt_async` → `sessionPromptAsync`. */
function functionName(operationId: string): string {
  const parts = operationId.split(/[._\-/]+/).filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p[0]?.toLowerCase() + p.slice(1) : p[0]?.toUpperCase() + p.slice(1))).join("");
}

const pascal = (s: string) => functionName(s).replace(/^./, (c) => c.toUpperCase());
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
        out.push(`  ${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}${signature(row)};`);
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

/** The file's text for the walked rows. */
function render(rows: Row[], serverVersion: string): string {
  const table = rows.map((r) => `const ${r.fn}$: OperationDef = /* @__PURE__ */ op(${r.fields.join(", ")});`).join("\n");
  const fns = rows
    .map(
      (r) =>
        `${opDoc(r, "", `await ${r.fn}(core${r.optionalArgs ? "" : ", { … }"})`)}export function ${r.fn}(core: OperationRunner, args${r.optionalArgs ? "?" : ""}: ${r.argsType}): APIPromise<${r.dataType}> {\n  return core.callOperation(${r.fn}$, args) as APIPromise<${r.dataType}>;\n}`,
    )
    .join("\n\n");
  const sigs = rows
    .map((r) => `  ${JSON.stringify(r.id)}: ${signature(r).replace(/\): APIPromise/, ") => APIPromise")};`)
    .join("\n");
  return `// Generated by the ocsdk/operations plugin of packages/client/openapi-ts.config.ts (pnpm generate) from openapi/opencode.openapi.json. Do not edit.
// biome-ignore-all format: generated
// biome-ignore-all lint: generated
import type * as T from "@ocsdk/client";
import { op, unpackOperations } from "../core/operation-table.js";
import type { APIPromise, Ok, OperationArgsOf, OperationDef, OperationRunner } from "../core/operation-types.js";

/** Server version the spec (and this SDK) was generated from. @example \`console.log(SPEC_SERVER_VERSION);\` */
export const SPEC_SERVER_VERSION = ${JSON.stringify(serverVersion)};

// One row per operation for the tree-shaken functions of \`@ocsdk/sdk/operations\` (the full client reads TABLE).
${table}

// One row per operation, \`id METHOD path scope response accept name=pattern…\` (see unpackOperations).
const TABLE = ${JSON.stringify(rows.map((r) => r.packed).join("\n"))};

/**
 * Every operation of the spec, keyed by operationId: method, path template, directory scoping
 * (\`query\`: \`directory\`/\`workspace\` query; \`location\`: v2 \`location[…]\`), response kind (default json),
 * Accept media types (binary and text routes) and the spec's id patterns.
 *
 * @example \`OPERATIONS["session.get"].path; // "/session/{sessionID}"\`
 */
export const OPERATIONS: { readonly [Id in keyof OperationSignatures]: OperationDef } = /* @__PURE__ */ unpackOperations<keyof OperationSignatures>(TABLE);

/** The signature of every operation, keyed by operationId. @example \`type Get = OperationSignatures["session.get"];\` */
export interface OperationSignatures {
${sigs}
}

${renderGroups(groupTree(rows))}
${fns}
`;
}

const handler: OperationsPlugin["Handler"] = ({ plugin }) => {
  if (!plugin.config.output) throw new Error("ocsdk/operations: set `output`, the absolute path of the table to write");
  const rows: Row[] = [];
  plugin.forEach("operation", ({ operation }) => {
    rows.push(rowOf(plugin, operation));
  });
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const info = plugin.context.spec.info as { "x-opencode-server-version"?: string };
  mkdirSync(dirname(plugin.config.output), { recursive: true });
  writeFileSync(plugin.config.output, render(rows, info["x-opencode-server-version"] ?? "unknown"));
};

/**
 * The plugin, for the `plugins` list of an openapi-ts config (after `@hey-api/typescript`).
 *
 * @example
 * ```ts
 * plugins: ["@hey-api/typescript", operationsPlugin({ output: "/abs/packages/sdk/src/generated/operations.gen.ts" })]
 * ```
 */
export const operationsPlugin = definePluginConfig<OperationsPlugin["Types"]>({
  name: "ocsdk/operations",
  config: { output: "" },
  dependencies: ["@hey-api/typescript"],
  handler,
});
