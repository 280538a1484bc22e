// Hot reload: a changed bundle is loaded beside the live one and swapped atomically; under continuous load, 50
// reloads give zero failed and zero mixed-revision answers; a broken bundle keeps the old policy serving.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { writeBundleVariant } from "../../helpers/bundle-variant.js";

const ADMIN = { authorization: "Bearer reload-admin-token" };
const committed = readFileSync("bundles/governance.tar.gz");
const probe = {
  session: { id: "s-reload" },
  event: "prompt",
  identity: { id: "test:reload-probe", type: "human" },
  purpose: "testing",
};
const addProbe = (data: Record<string, any>) => {
  data.governance.principals["test:reload-probe"] = { type: "human", clearance: "public", scopes: [], purposes: ["testing"], groups: [] };
};
/** Each revision's expected answer to the probe: A knows the probe identity, B does not. */
const expected: Record<string, string> = { "rev-a": "allow", "rev-b": "deny" };

describe("hot reload", () => {
  let svc: RunningApp;
  let dir: string;
  let bundlePath: string;
  const install = (rev: "rev-a" | "rev-b") => {
    const tmp = join(dir, `next-${rev}.tar.gz`);
    // Rev B denies the probe every time: its risk across sessions must not flag it for rev A (that is not under test).
    const noPrincipalRisk = (data: Record<string, any>) => {
      data.governance.settings = { ...data.governance.settings, principal_risk_threshold: 0 };
    };
    writeBundleVariant(committed, tmp, rev, (data) => {
      noPrincipalRisk(data);
      if (rev === "rev-a") addProbe(data);
    });
    renameSync(tmp, bundlePath);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "custos-reload-"));
    bundlePath = join(dir, "bundle.tar.gz");
    install("rev-a");
    svc = await startApp({ CUSTOS_BUNDLE: bundlePath, CUSTOS_ADMIN_TOKEN: "reload-admin-token", CUSTOS_WATCH_INTERVAL_MS: "0" });
  });
  after(() => svc.close());

  test("50 reloads under continuous load: no failed and no mixed-revision answers", async () => {
    const first = await svc.post("/decide", probe);
    assert.equal(first.body.policy.revision, "rev-a");
    assert.equal(first.body.decision, "allow", JSON.stringify(first.body.reasons));

    let running = true;
    let answers = 0;
    const problems: string[] = [];
    const seen = new Set<string>();
    const worker = async () => {
      while (running) {
        // A fresh session per request: rev-b's denials must not pile up risk and terminate a shared session.
        const r = await svc.post("/decide", { ...probe, session: { id: `s-reload-${answers}-${Math.random()}` } });
        answers++;
        const rev = r.body?.policy?.revision as string;
        seen.add(rev);
        if (r.status !== 200) problems.push(`status ${r.status}`);
        else if (expected[rev] !== r.body.decision) problems.push(`${rev} answered ${r.body.decision}`);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 50; i++) {
      install(i % 2 === 0 ? "rev-b" : "rev-a");
      const r = await svc.post("/admin/bundle/reload", {}, ADMIN);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.revision, i % 2 === 0 ? "rev-b" : "rev-a");
      await new Promise((res) => setTimeout(res, 5));
    }
    running = false;
    await Promise.all(workers);
    assert.deepEqual(problems, []);
    assert.ok(answers > 100, `answers under load: ${answers}`);
    assert.deepEqual([...seen].sort(), ["rev-a", "rev-b"]);
  });

  test("a broken bundle is refused: the old policy keeps serving and the error is counted", async () => {
    const before = svc.app.policy.current()?.revision;
    writeFileSync(bundlePath, "not a bundle");
    const r = await svc.post("/admin/bundle/reload", {}, ADMIN);
    assert.equal(r.status, 422);
    assert.equal(r.body.code, "bundle_invalid");
    assert.equal((await svc.post("/decide", probe)).body.policy.revision, before);
    const metrics = await svc.get("/metrics");
    assert.match(metrics.text, /custos_bundle_loads_total\{result="error"\} [1-9]/);
    assert.equal((await svc.get("/health/ready")).status, 200, "still ready: a policy is active");
  });
});

describe("file watching", () => {
  test("a replaced bundle file is picked up without a request to reload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "custos-watch-"));
    const bundlePath = join(dir, "bundle.tar.gz");
    writeBundleVariant(committed, bundlePath, "rev-a", addProbe);
    const svc = await startApp({ CUSTOS_BUNDLE: bundlePath, CUSTOS_WATCH_INTERVAL_MS: "50" });
    try {
      assert.equal(svc.app.policy.current()?.revision, "rev-a");
      writeBundleVariant(committed, join(dir, "tmp.tar.gz"), "rev-b");
      renameSync(join(dir, "tmp.tar.gz"), bundlePath);
      const deadline = Date.now() + 5000;
      while (svc.app.policy.current()?.revision !== "rev-b" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.equal(svc.app.policy.current()?.revision, "rev-b");
      assert.equal((await svc.post("/decide", probe)).body.decision, "deny");
    } finally {
      await svc.close();
    }
  });
});
