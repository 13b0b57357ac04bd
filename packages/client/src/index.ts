// Entry point of the generated client: re-exports the generator's output unchanged.

export type { Client, Config, Options, RequestOptions, RequestResult } from "./generated/client/index.js";
export { createClient, createConfig } from "./generated/client/index.js";
export { client } from "./generated/client.gen.js";
export * from "./generated/index.js";
