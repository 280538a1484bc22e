// Configuration is read once from the environment, validated and frozen.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../../src/config/load-config.js";
import { CustosError } from "../../../src/errors.js";

test("defaults: loopback, 8080, in-memory state, fail closed, committed bundle", () => {
  const c = loadConfig({});
  assert.equal(c.server.host, "127.0.0.1");
  assert.equal(c.server.port, 8080);
  assert.equal(c.state.redis, null);
  assert.equal(c.state.failMode, "closed");
  assert.equal(c.policy.bundlePath, "bundles/governance.tar.gz");
  assert.equal(c.admin.token, null);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.server));
});

test("bad values are rejected naming every variable", () => {
  assert.throws(
    () => loadConfig({ PORT: "eighty", CUSTOS_FAIL_MODE: "maybe" }),
    (err: unknown) =>
      err instanceof CustosError && err.errors?.map((e) => e.field).join(",") === "PORT,CUSTOS_FAIL_MODE" && /PORT/.test(err.message),
  );
});

test("CUSTOS_AUDIT_LOG=off disables the decision log", () => {
  assert.equal(loadConfig({ CUSTOS_AUDIT_LOG: "off" }).audit.path, null);
});
