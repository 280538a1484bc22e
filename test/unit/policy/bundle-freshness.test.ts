// The committed bundle must be built from the committed rego/ sources (no opa needed: compares revisions).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { readBundle } from "../../../src/policy/bundle-reader.js";

test("bundles/governance.tar.gz is fresh with respect to rego/ (run `npm run policy:build` when this fails)", async () => {
  const expected = execFileSync(process.execPath, ["scripts/policy-revision.mjs", "rego"], { encoding: "utf8" }).trim();
  const bundle = await readBundle("bundles/governance.tar.gz");
  assert.equal(bundle.manifest.revision, expected, "the committed bundle is stale: run `npm run policy:build` and commit it");
  for (const [path, bytes] of bundle.files) {
    if (!path.endsWith(".rego")) continue;
    const { readFileSync } = await import("node:fs");
    assert.equal(Buffer.from(bytes).toString("utf8"), readFileSync(`rego/${path}`, "utf8"), `${path} in the bundle matches rego/${path}`);
  }
});
