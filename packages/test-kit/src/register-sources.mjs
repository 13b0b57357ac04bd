// `node --import tsx --import ./register-sources.mjs app.js`: run a file against the repo's sources.
import { register } from "node:module";

register("./source-hooks.mjs", import.meta.url);
