/** attachServer's version comparison: semver levels, not string equality. */
import { describe, expect, it } from "vitest";
import { compareServerVersions } from "../../../src/server/attach.js";

describe("compareServerVersions", () => {
  it("names the semver level of the difference", () => {
    expect(compareServerVersions("1.18.33", "1.18.33")).toBe("none");
    expect(compareServerVersions("1.18.32", "1.18.33")).toBe("patch");
    expect(compareServerVersions("1.18.34-beta.1", "1.18.33")).toBe("patch");
    expect(compareServerVersions("1.17.19", "1.18.33")).toBe("minor");
    expect(compareServerVersions("2.0.0", "1.18.33")).toBe("major");
    expect(compareServerVersions("v1.18.33", "1.18.3")).toBe("patch");
    expect(compareServerVersions("local", "1.18.33")).toBe("unknown");
  });
});
