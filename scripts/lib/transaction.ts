/**
 * The undo log of a long pipeline run (upgrade-server): temp dirs it made, child processes it
 * started (each leading its own process group), files it replaced. `abort()` — on a failure or
 * SIGINT/SIGTERM — stops every child group, restores every replaced file and removes every temp
 * dir, so an interrupted run leaves nothing behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Raised inside the run once a signal arrived: every later step stops at once. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** Result of {@link Transaction.exec}: never rejects on a non-zero exit. */
export interface ExecResult {
  ok: boolean;
  code: number | null;
  output: string;
}

/** A file change to apply: new content, or `null` to delete the file. */
export interface FileChange {
  path: string;
  content: Buffer | null;
}

/** Grace between SIGTERM to a child group and SIGKILL: long enough for it to stop its own servers. */
const KILL_GRACE_MS = 10_000;

/**
 * One run's resources. Create with {@link Transaction.start}; end with `commit()` or `abort()`.
 *
 * @example
 * ```ts
 * const tx = await Transaction.start("ocsdk-upgrade-");
 * try {
 *   await tx.exec("npm", ["view", "opencode-ai", "version"], { cwd: tx.dir });
 *   await tx.commit();
 * } catch (e) {
 *   await tx.abort();
 *   throw e;
 * }
 * ```
 */
export class Transaction {
  /** Root temp dir; `TMPDIR` of this process and its children points inside it while the run lasts. */
  readonly dir: string;
  readonly #children = new Set<ChildProcess>();
  readonly #replaced: { path: string; backup: string | null }[] = [];
  readonly #previousTmp: string | undefined;
  #interrupted: NodeJS.Signals | undefined;
  #backups = 0;
  readonly #onSignal: (signal: NodeJS.Signals) => void;
  readonly #listeners = new Map<NodeJS.Signals, () => void>();
  #ended = false;

  private constructor(dir: string) {
    this.dir = dir;
    this.#previousTmp = process.env.TMPDIR;
    this.#onSignal = (signal) => {
      if (this.#interrupted) {
        // A second Ctrl-C: no more grace.
        for (const child of this.#children) killGroup(child, "SIGKILL");
        return;
      }
      this.#interrupted = signal;
      process.stderr.write(`\n${signal}: stopping child processes, restoring files, removing temp dirs …\n`);
      for (const child of this.#children) this.#stop(child);
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      const listener = () => this.#onSignal(signal);
      this.#listeners.set(signal, listener);
      process.on(signal, listener);
    }
  }

  /**
   * Makes the root temp dir and points `TMPDIR` into it (servers extract native libraries there,
   * test kits write mock specs there: all of it goes with the dir).
   */
  static async start(prefix: string): Promise<Transaction> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    await mkdir(join(dir, "tmp"));
    const tx = new Transaction(dir);
    process.env.TMPDIR = join(dir, "tmp");
    return tx;
  }

  /** The signal that interrupted the run, if any. */
  get interrupted(): NodeJS.Signals | undefined {
    return this.#interrupted;
  }

  /** Throws {@link InterruptedError} once a signal arrived. */
  check(): void {
    if (this.#interrupted) throw new InterruptedError(this.#interrupted);
  }

  /**
   * Runs a command in its own process group, collecting its output. A signal to this process
   * stops the whole group (SIGTERM, SIGKILL after a grace period).
   */
  exec(
    cmd: string,
    args: string[],
    options: {
      cwd: string;
      env?: NodeJS.ProcessEnv;
      timeoutMs?: number;
      onSpawn?: () => void;
      /** Called with everything the child printed so far, on each chunk. */
      onOutput?: (output: string) => void;
    },
  ): Promise<ExecResult> {
    this.check();
    return new Promise((resolve) => {
      const child = spawn(cmd, args, {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), TMPDIR: join(this.dir, "tmp") },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      this.#children.add(child);
      let output = "";
      const onData = (d: string) => {
        output += d;
        options.onOutput?.(output);
      };
      child.stdout?.setEncoding("utf8").on("data", onData);
      child.stderr?.setEncoding("utf8").on("data", onData);
      const timer = setTimeout(
        () => {
          output += `\n(timed out after ${options.timeoutMs} ms)`;
          this.#stop(child);
        },
        options.timeoutMs ?? 15 * 60_000,
      );
      const done = (code: number | null, error?: Error) => {
        clearTimeout(timer);
        this.#children.delete(child);
        // Grandchildren that outlived their parent (a server the child started in this group).
        killGroup(child, "SIGKILL");
        if (error) output += `\ncould not run ${cmd}: ${error.message}`;
        resolve({ ok: code === 0 && !error, code, output });
      };
      child.once("error", (e) => done(null, e));
      child.once("close", (code) => done(code));
      options.onSpawn?.();
    });
  }

  /**
   * Replaces (or deletes) files so that each one is either fully old or fully new: the old
   * file is copied into the undo log first, the new one renamed into place. `abort()` puts
   * every old file back.
   */
  async replaceFiles(changes: FileChange[], hook?: (index: number) => void): Promise<void> {
    const backupDir = join(this.dir, "backup");
    await mkdir(backupDir, { recursive: true });
    for (const [i, change] of changes.entries()) {
      this.check();
      hook?.(i);
      let backup: string | null = null;
      if (existsSync(change.path)) {
        backup = join(backupDir, String(this.#backups++));
        await copyFile(change.path, backup);
      }
      this.#replaced.push({ path: change.path, backup });
      if (change.content === null) await rm(change.path, { force: true });
      else {
        await mkdir(dirname(change.path), { recursive: true });
        const next = `${change.path}.ocsdk-next`;
        await writeFile(next, change.content);
        await rename(next, change.path);
      }
    }
  }

  /**
   * Puts every replaced file back (newest first), stops every child, removes the temp dir.
   * Resolves with the number of files put back.
   */
  async abort(): Promise<number> {
    await Promise.all([...this.#children].map((c) => this.#stop(c)));
    const restored = this.#replaced.length;
    for (const { path, backup } of this.#replaced.reverse()) {
      await rm(`${path}.ocsdk-next`, { force: true });
      if (backup) {
        await mkdir(dirname(path), { recursive: true });
        await copyFile(backup, path);
      } else await rm(path, { force: true });
    }
    this.#replaced.length = 0;
    await this.#end();
    return restored;
  }

  /** Keeps the replaced files; removes the temp dir (unless `keep`). */
  async commit(options: { keep?: boolean } = {}): Promise<void> {
    this.#replaced.length = 0;
    await this.#end(options.keep);
  }

  async #end(keep = false): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.#previousTmp;
    if (!keep) await rm(this.dir, { recursive: true, force: true });
    for (const [signal, listener] of this.#listeners) process.off(signal, listener);
  }

  /** SIGTERM to the child's group, SIGKILL after the grace period; resolves when it exited. */
  #stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => child.once("close", () => r()));
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), KILL_GRACE_MS);
    return exited.finally(() => clearTimeout(timer));
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* group already gone */
  }
}
