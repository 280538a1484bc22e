// Signed bundles: with CUSTOS_BUNDLE_VERIFICATION_KEY set, only bundles whose OPA .signatures.json verifies (built
// by `npm run policy:build -- --signing-key …`) load; unsigned, tampered or foreign-signed ones are refused at start
// and at reload, and the old policy keeps serving.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parseBundle } from "../../../src/policy/bundle-reader.js";
import { startApp } from "../../helpers/app.js";
import { tarGz } from "../../helpers/bundle-variant.js";

const ADMIN = { authorization: "Bearer signed-admin" };
const probe = { session: { id: "s-signed" }, event: "prompt", identity: { id: "user:nobody", type: "human" } };

describe("signed bundles", () => {
  let dir: string;
  let signed: string;
  let publicKey: string;
  let otherKey: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "custos-signed-"));
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "private.pem"), pair.privateKey.export({ type: "pkcs8", format: "pem" }));
    publicKey = join(dir, "public.pem");
    writeFileSync(publicKey, pair.publicKey.export({ type: "spki", format: "pem" }));
    otherKey = join(dir, "other.pem");
    writeFileSync(otherKey, generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }));
    signed = join(dir, "signed.tar.gz");
    execFileSync("bash", ["scripts/policy-build.sh", "--signing-key", join(dir, "private.pem"), "--signing-alg", "RS256", "--output", signed], {
      stdio: "ignore",
    });
  });

  test("a bundle signed with the key loads and serves", async () => {
    const svc = await startApp({ CUSTOS_BUNDLE: signed, CUSTOS_BUNDLE_VERIFICATION_KEY: publicKey });
    try {
      assert.equal((await svc.post("/decide", probe)).status, 200);
    } finally {
      await svc.close();
    }
  });

  test("unsigned, foreign-signed or tampered bundles are refused at start", async () => {
    await assert.rejects(startApp({ CUSTOS_BUNDLE_VERIFICATION_KEY: publicKey }), /not signed/);
    await assert.rejects(startApp({ CUSTOS_BUNDLE: signed, CUSTOS_BUNDLE_VERIFICATION_KEY: otherKey }), /does not verify/);
    const bundle = parseBundle(readFileSync(signed));
    const data = JSON.parse(Buffer.from(bundle.files.get("data.json")!).toString("utf8"));
    data.governance.principals["user:nobody"] = { type: "human", clearance: "restricted", scopes: [], purposes: [], groups: [] };
    const tampered = new Map(bundle.files);
    tampered.set("data.json", Buffer.from(JSON.stringify(data)));
    const tamperedPath = join(dir, "tampered.tar.gz");
    writeFileSync(tamperedPath, tarGz(tampered));
    await assert.rejects(startApp({ CUSTOS_BUNDLE: tamperedPath, CUSTOS_BUNDLE_VERIFICATION_KEY: publicKey }), /data\.json does not match/);
    const extra = new Map(bundle.files);
    extra.set("custos/backdoor.rego", Buffer.from("package custos.backdoor\n"));
    const extraPath = join(dir, "extra.tar.gz");
    writeFileSync(extraPath, tarGz(extra));
    await assert.rejects(startApp({ CUSTOS_BUNDLE: extraPath, CUSTOS_BUNDLE_VERIFICATION_KEY: publicKey }), /not covered by the signature/);
  });

  test("at reload, a tampered bundle is refused and the signed one keeps serving", async () => {
    const live = join(dir, "live.tar.gz");
    copyFileSync(signed, live);
    const svc = await startApp({
      CUSTOS_BUNDLE: live,
      CUSTOS_BUNDLE_VERIFICATION_KEY: publicKey,
      CUSTOS_ADMIN_TOKEN: "signed-admin",
      CUSTOS_WATCH_INTERVAL_MS: "0",
    });
    try {
      const revision = svc.app.policy.current()?.revision;
      copyFileSync("bundles/governance.tar.gz", live);
      const r = await svc.post("/admin/bundle/reload", {}, ADMIN);
      assert.equal(r.status, 422);
      assert.match(r.body.message, /not signed/);
      assert.equal(svc.app.policy.current()?.revision, revision);
      assert.equal((await svc.post("/decide", probe)).status, 200);
    } finally {
      await svc.close();
    }
  });
});
