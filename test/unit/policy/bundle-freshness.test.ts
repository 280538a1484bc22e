// The committed bundle must be built from the committed rego/ sources (no opa needed: its revision is a digest of
// the sources, recomputed here).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { readBundle } from "../../../src/policy/bundle-reader.js";

test("bundles/governance.tar.gz is fresh with respect to rego/ (run `npm run policy:build` when this fails)", async () => {
  const expected = execFileSync(process.execPath, ["scripts/policy-revision.mjs", "rego"], { encoding: "utf8" }).trim();
  const bundle = await readBundle("bundles/governance.tar.gz");
  assert.equal(bundle.manifest.revision, expected, "the committed bundle is stale: run `npm run policy:build` and commit it");
});
