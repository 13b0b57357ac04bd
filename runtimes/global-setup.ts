/**
 * Vitest global setup of the `runtimes` project: builds, packs and installs the tarballs once into
 * a consumer project. It never throws: a failure is handed to the tests, which fail naming it,
 * so the run's pass/fail counts stay intact.
 */
import { rm } from "node:fs/promises";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { type Consumer, prepareConsumer } from "./lib/consumer.ts";

/** The consumer project, or why it could not be made. */
export type ConsumerSetup = { ok: true; consumer: Consumer } | { ok: false; error: string };

declare module "vitest" {
  export interface ProvidedContext {
    /** The packed-tarball consumer project (runtimes project only). */
    runtimesConsumer: ConsumerSetup;
  }
}

/**
 * Prepares the consumer project and returns its teardown.
 *
 * @example
 * ```ts
 * // vitest.config.ts, runtimes project
 * test: { globalSetup: ["./runtimes/global-setup.ts"] }
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let setupResult: ConsumerSetup;
  try {
    setupResult = { ok: true, consumer: await prepareConsumer() };
  } catch (error) {
    setupResult = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  project.provide("runtimesConsumer", setupResult);
  return async () => {
    if (setupResult.ok) await rm(setupResult.consumer.dir, { recursive: true, force: true });
  };
}

/**
 * The consumer project, or an error saying why packing failed (every runtime test fails with it).
 *
 * @example
 * ```ts
 * const consumer = requireConsumer(inject("runtimesConsumer"));
 * ```
 */
export function requireConsumer(setupResult: ConsumerSetup): Consumer {
  if (!setupResult.ok) throw new Error(`building, packing or installing the tarballs failed:\n${setupResult.error}`);
  return setupResult.consumer;
}
