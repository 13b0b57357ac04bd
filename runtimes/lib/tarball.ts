/** Reads a packed tarball's files, as the registry would serve them, for the packaging checks. */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** An unpacked tarball: its `package/` root and every file path relative to it. */
export interface Unpacked {
  readonly root: string;
  readonly files: ReadonlySet<string>;
  read(path: string): Promise<string>;
}

/**
 * Extracts `tarball` into a fresh temp dir.
 *
 * @example
 * ```ts
 * const pkg = await unpack(consumer.tarballs["@ocsdk/sdk"]);
 * pkg.files.has("LICENSE");
 * ```
 */
export async function unpack(tarball: string): Promise<Unpacked> {
  const dir = await mkdtemp(join(tmpdir(), "ocsdk-unpacked-"));
  await exec("tar", ["-xzf", tarball, "-C", dir]);
  const root = join(dir, "package");
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))));
  return { root, files, read: (path) => readFile(join(root, path), "utf8") };
}
