// Node module hooks: `@ocsdk/*` imports resolve to this repository's sources (transpiled by tsx),
// so examples run as written, with no build and no install. Registered by register-sources.mjs.
const root = new URL("../../../", import.meta.url);
const SOURCES = {
  "@ocsdk/client": "packages/client/src/index.ts",
  "@ocsdk/sdk": "packages/sdk/src/index.ts",
  "@ocsdk/sdk/node": "packages/sdk/src/node.ts",
  "@ocsdk/testing": "packages/testing/src/index.ts",
};

export async function resolve(specifier, context, next) {
  const path = SOURCES[specifier];
  // Through the next resolver (tsx), which marks .ts files for its loader.
  if (path) return next(new URL(path, root).href, context);
  return next(specifier, context);
}
