/** The watchdog: fires after a quiet period, touch() postpones it, one timer for any number of touches. */
import { describe, expect, it, vi } from "vitest";
import { Watchdog } from "../../../src/events/watchdog.js";

describe("Watchdog", () => {
  it("fires once nothing was seen for timeoutMs, counting from the last touch", () => {
    vi.useFakeTimers();
    try {
      let fired = 0;
      const dog = new Watchdog(100, Date.now, () => fired++);
      for (let t = 0; t < 10; t++) {
        vi.advanceTimersByTime(60);
        dog.touch();
      }
      expect(fired).toBe(0); // 600 ms alive, never 100 quiet
      vi.advanceTimersByTime(99);
      expect(fired).toBe(0);
      vi.advanceTimersByTime(1);
      expect(fired).toBe(1);
      dog.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("touch() does no timer work: one pending timer however many touches", () => {
    vi.useFakeTimers();
    try {
      const dog = new Watchdog(1_000, Date.now, () => {});
      for (let i = 0; i < 10_000; i++) dog.touch();
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(500);
      dog.touch();
      vi.advanceTimersByTime(600); // the first check finds 600 ms quiet: re-arms for the rest
      expect(vi.getTimerCount()).toBe(1);
      dog.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("0 never fires and holds no timer", () => {
    vi.useFakeTimers();
    try {
      let fired = 0;
      new Watchdog(0, Date.now, () => fired++);
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(1e6);
      expect(fired).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
