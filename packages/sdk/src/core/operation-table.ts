/**
 * The runtime half of the generated operation table: the generator emits data only (one packed
 * string for the whole table, one call of {@link op} per tree-shakable function), and these turn it
 * into {@link OperationDef}s.
 */
import type { OperationDef, ResponseKind } from "./operation-types.js";

/**
 * One row of the table.
 *
 * @example
 * ```ts
 * const def = op("session.get", "GET", "/session/{sessionID}", "query", undefined, { sessionID: "^ses" });
 * ```
 */
export function op(
  id: string,
  method: string,
  path: string,
  scope?: "query" | "location",
  response?: ResponseKind,
  patterns?: Readonly<Record<string, string>>,
  accept?: string,
): OperationDef {
  return { id, method, path, scope, response, accept, patterns };
}

/**
 * The table from its packed form: one line per operation, `id METHOD path scope response accept name=pattern…`
 * (scope `q`uery, `l`ocation or `-`; response and accept `-` for the defaults; trailing defaults left out).
 * A string is a fraction of the size of one object literal per operation in a bundle.
 *
 * @example
 * ```ts
 * const table = unpackOperations<"global.health">("global.health GET /global/health");
 * table["global.health"].path; // "/global/health"
 * ```
 */
export function unpackOperations<Id extends string>(packed: string): { readonly [K in Id]: OperationDef } {
  const out: Record<string, OperationDef> = {};
  for (const row of packed.split("\n")) {
    const [id = "", method = "", path = "", scope, response, accept, ...patterns] = row.split(" ");
    out[id] = op(
      id,
      method,
      path,
      scope === "q" ? "query" : scope === "l" ? "location" : undefined,
      !response || response === "-" ? undefined : (response as ResponseKind),
      patterns.length
        ? Object.fromEntries(patterns.map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]))
        : undefined,
      !accept || accept === "-" ? undefined : accept,
    );
  }
  return out as { readonly [K in Id]: OperationDef };
}
