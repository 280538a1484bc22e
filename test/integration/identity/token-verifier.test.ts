// Token verification with real keys (RSA, EC P-256, Ed25519) and real JWKS files and URLs: every check that must
// fail does, naming the check and nothing of the token; keys rotate without a restart and survive an outage.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTokenVerifier, parseIssuers, type TokenVerifier, type VerifyResult } from "../../../src/identity/index.js";
import { b64, makeKey, sign, startJwksServer, type JwksServer, type TestKey } from "./keys.js";

const NOW = 1_900_000_000;
const ISS = "https://idp.example";
const dir = mkdtempSync(join(tmpdir(), "custos-issuers-"));
const writeJwks = (name: string, keys: TestKey[]) => writeFileSync(join(dir, name), JSON.stringify({ keys: keys.map((k) => k.jwk) }));
const issuersAt = (issuers: object[]) => parseIssuers({ issuers }, join(dir, "issuers.json"));
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, aud: "custos", sub: "agent:summarizer", exp: NOW + 300, iat: NOW - 10, jti: "cred-1", scope: "kb:read tickets:write", ...extra });

function failed(result: VerifyResult, check: string): string {
  assert.equal(result.ok, false, `expected check ${check}`);
  assert.equal(result.ok === false && result.check, check);
  return result.ok === false ? result.message : "";
}

describe("token verifier (JWKS file)", () => {
  const rsa = makeKey("RS256", "rsa-1");
  const ec = makeKey("ES256", "ec-1");
  const ed = makeKey("EdDSA", "ed-1");
  const stranger = makeKey("RS256", "rsa-1"); // same kid, another key: a forgery
  let verifier: TokenVerifier;
  const messages: string[] = [];
  const check = async (token: string, expected: string, now = NOW) => {
    const r = await verifier.verify(token, now);
    messages.push(failed(r, expected));
    return r;
  };

  before(async () => {
    writeJwks("idp.json", [rsa, ec, ed]);
    writeJwks("other.json", [makeKey("ES256", "other-1")]);
    verifier = await createTokenVerifier(
      issuersAt([
        { issuer: ISS, audiences: ["custos", "custos-eu"], jwks_file: "idp.json", algorithms: ["RS256", "ES256", "EdDSA"] },
        { issuer: "https://other.example", audiences: ["custos"], jwks_file: "other.json", algorithms: ["ES256"] },
      ]),
      { clock: () => NOW },
    );
  });

  test("RS256, ES256 and EdDSA tokens verify; claims become the identity; only a digest of the token is kept", async () => {
    for (const key of [rsa, ec, ed]) {
      const token = await sign(key, claims());
      const r = await verifier.verify(token, NOW);
      assert.ok(r.ok, key.alg);
      assert.deepEqual(r.identity, {
        id: "agent:summarizer",
        scopes: ["kb:read", "tickets:write"],
        credential_id: "cred-1",
        issued_at: NOW - 10,
        expires_at: NOW + 300,
        issuer: ISS,
        chain: [],
        token_digest: createHash("sha256").update(token).digest("hex"),
      });
    }
    const arr = await verifier.verify(await sign(ec, claims({ scope: ["a", "b"], aud: ["elsewhere", "custos-eu"] })), NOW);
    assert.ok(arr.ok && arr.identity.scopes?.join() === "a,b");
    assert.ok((await verifier.verify(await sign(ec, claims())))?.ok, "the injected clock is used without a time");
  });

  test("alg none and HMAC signed with the public key never pass", async () => {
    const body = b64(claims());
    for (const alg of ["none", "NONE", "None"]) await check(`${b64({ alg, typ: "JWT" })}.${body}.`, "algorithm");
    for (const secret of [rsa.publicKey.export({ type: "spki", format: "pem" }), JSON.stringify(rsa.jwk), rsa.jwk.n as string]) {
      for (const alg of ["HS256", "HS512"]) {
        const input = `${b64({ alg, kid: "rsa-1" })}.${body}`;
        const mac = createHmac(alg === "HS256" ? "sha256" : "sha512", secret).update(input).digest("base64url");
        await check(`${input}.${mac}`, "algorithm");
      }
      // claiming RS256 with an HMAC for a signature: the signature does not verify
      const input = `${b64({ alg: "RS256", kid: "rsa-1" })}.${body}`;
      await check(`${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`, "signature");
    }
  });

  test("the algorithm must be allowed for the token's issuer and fit its key", async () => {
    await check(await sign(makeKey("PS256", "rsa-1"), claims()), "algorithm"); // PS256 not in this issuer's allowlist
    await check(await sign(makeKey("ES256", "other-1"), claims({ iss: "https://other.example" })), "signature");
    const edAsEc = `${b64({ alg: "ES256", kid: "ed-1" })}.${b64(claims())}.${"A".repeat(86)}`;
    await check(edAsEc, "unknown_key"); // ed-1 is an Ed25519 key: no ES256 key by that kid
  });

  test("unknown kid, a forged key under a known kid, and another issuer's key all fail", async () => {
    await check(await sign(makeKey("RS256", "rsa-9"), claims()), "unknown_key");
    await check(await sign(stranger, claims()), "signature");
    await check(await sign(ec, claims({ iss: "https://other.example" })), "unknown_key"); // ec-1 is not the other issuer's
    await check(await sign(rsa, claims({ iss: "https://other.example" })), "algorithm"); // which allows ES256 only
  });

  test("a token without kid uses the issuer's only key of its algorithm", async () => {
    assert.ok((await verifier.verify(await sign(ec, claims(), { kid: null }), NOW)).ok);
  });

  test("times by Custos's clock with a 30 s skew: expired, not yet valid, issued in the future", async () => {
    const token = await sign(ec, claims({ exp: NOW + 100, nbf: NOW - 5 }));
    assert.ok((await verifier.verify(token, NOW + 129)).ok, "inside the skew");
    await check(token, "expired", NOW + 130);
    await check(token, "not_yet_valid", NOW - 36);
    await check(await sign(ec, claims({ nbf: NOW + 31 })), "not_yet_valid");
    assert.ok((await verifier.verify(await sign(ec, claims({ nbf: NOW + 29 })), NOW)).ok);
    await check(await sign(ec, claims({ iat: NOW + 31 })), "not_yet_valid");
    await check(await sign(ec, claims({ exp: NOW - 31 })), "expired");
  });

  test("audience and issuer: wrong audience, unconfigured or missing issuer", async () => {
    await check(await sign(ec, claims({ aud: "someone-else" })), "audience");
    await check(await sign(ec, claims({ aud: undefined })), "audience");
    const r = await check(await sign(ec, claims({ iss: "https://evil.example" })), "issuer");
    assert.equal(r.ok === false && r.message, "the token's issuer is not configured");
    await check(await sign(ec, claims({ iss: undefined })), "issuer");
    assert.equal(verifier.isConfigured(ISS), true);
    assert.equal(verifier.isConfigured("https://evil.example"), false);
  });

  test("tampered payload and tampered header fail", async () => {
    const [h, p, s] = (await sign(rsa, claims())).split(".") as [string, string, string];
    await check(`${h}.${b64(claims({ sub: "agent:root" }))}.${s}`, "signature");
    await check(`${h}.${b64(claims({ scope: "admin:all" }))}.${s}`, "signature");
    await check(`${b64({ alg: "RS256", kid: "rsa-1", typ: "JWT" })}.${p}.${s}`, "signature");
    await check(`${b64({ alg: "RS256", kid: "rsa-1", crit: ["exp"], exp: 1 })}.${p}.${s}`, "malformed");
    await check(`${h}.${p}.${s.slice(0, -4)}AAAA`, "signature");
  });

  test("malformed tokens: wrong shape, not JSON, JWE, unsigned, oversize, not a string", async () => {
    for (const t of ["", "abc", "a.b", "a.b.c.d.e", "!!.??.xx", `${b64("not json")}.${b64(claims())}.sig`, `${b64({ alg: "RS256" })}.${b64("[1]")}.sig`, `${b64({ kid: "rsa-1" })}.${b64(claims())}.sig`]) {
      await check(t, "malformed");
    }
    await check(`${b64({ alg: "RS256" })}.${b64(claims({ pad: "x".repeat(20_000) }))}.sig`, "malformed");
    const r = await verifier.verify(42 as unknown as string, NOW);
    assert.deepEqual(r, { ok: false, check: "malformed", message: "the token is not a well-formed signed JWT", token_digest: null });
  });

  test("claims that cannot be mapped: missing exp, missing subject, scopes of the wrong type, a bad act", async () => {
    await check(await sign(ec, claims({ exp: undefined })), "claims");
    await check(await sign(ec, claims({ sub: undefined })), "claims");
    await check(await sign(ec, claims({ scope: { a: 1 } })), "claims");
    await check(await sign(ec, claims({ act: ["agent:x"] })), "claims");
  });

  test("a nested act claim is the delegation chain, outermost first", async () => {
    const token = await sign(ed, claims({ sub: "user:dana", act: { sub: "agent:sub-agent", act: { sub: "agent:orchestrator" } } }));
    const r = await verifier.verify(token, NOW);
    assert.ok(r.ok);
    assert.equal(r.identity.id, "agent:sub-agent");
    assert.deepEqual(r.identity.chain, [{ id: "user:dana" }, { id: "agent:orchestrator" }]);
  });

  test("no failure message quotes the token or a claim value", () => {
    assert.ok(messages.length > 30);
    for (const m of messages) assert.doesNotMatch(m, /agent:|cred-1|kb:read|idp\.example|evil|rsa-|eyJ/, m);
  });
});

describe("token verifier (JWKS URL)", () => {
  let server: JwksServer;
  const k1 = makeKey("ES256", "k1");
  const k2 = makeKey("ES256", "k2");
  let now = NOW;
  const build = (extra = {}) =>
    createTokenVerifier(issuersAt([{ issuer: ISS, audiences: ["custos"], jwks_uri: server.url, algorithms: ["ES256", "RS256"] }]), {
      clock: () => now,
      fetchTimeoutMs: 300,
      ...extra,
    });

  before(async () => {
    server = await startJwksServer([k1.jwk]);
  });
  after(() => server.close());

  test("rotation without a restart: a new kid is fetched once; the retired kid then fails; reloads are rate-limited", async () => {
    server.mode = "up";
    server.keys = [k1.jwk];
    now = NOW;
    const v = await build();
    const start = server.hits;
    assert.ok((await v.verify(await sign(k1, claims()), now)).ok);
    assert.equal(server.hits, start, "cached keys: no fetch per token");
    server.keys = [k2.jwk]; // the issuer rotates: k2 in, k1 retired
    now += 31;
    const t2 = await sign(k2, claims());
    const parallel = await Promise.all(Array.from({ length: 20 }, () => v.verify(t2, now)));
    assert.ok(parallel.every((r) => r.ok));
    assert.equal(server.hits, start + 1, "one fetch for twenty tokens with the new kid");
    failed(await v.verify(await sign(k1, claims()), now), "unknown_key");
    for (let i = 0; i < 10; i++) failed(await v.verify(await sign(makeKey("ES256", `x${i}`), claims()), now + i), "unknown_key");
    assert.equal(server.hits, start + 1, "unknown kids within 30 s of the last fetch do not reach the JWKS URL");
    failed(await v.verify(await sign(makeKey("ES256", "x-late"), claims()), now + 30), "unknown_key");
    assert.equal(server.hits, start + 2, "after 30 s an unknown kid may reload again");
  });

  test("outage: the cached set keeps serving when the URL fails or stalls, and the failure is in the status", async () => {
    server.mode = "up";
    server.keys = [k1.jwk];
    now = NOW;
    const v = await build();
    const token = await sign(k1, claims({ exp: NOW + 3600 }));
    server.mode = "down";
    now += 301; // stale: a background reload is attempted, and fails
    assert.ok((await v.verify(token, now)).ok);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(v.status()[ISS]?.lastError, "JWKS URL answered HTTP 503");
    assert.ok((await v.verify(token, now + 1)).ok, "still the cached set");
    failed(await v.verify(await sign(k2, claims()), now + 40), "unknown_key");
    assert.ok((await v.verify(token, now + 41)).ok);
    server.mode = "stall";
    const began = Date.now();
    failed(await v.verify(await sign(k2, claims()), now + 80), "unknown_key");
    assert.ok(Date.now() - began < 2000, "the fetch timeout bounds the wait");
    assert.match(v.status()[ISS]?.lastError ?? "", /did not answer within 300 ms/);
    assert.ok((await v.verify(token, now + 81)).ok);
    assert.equal(v.status()[ISS]?.keys, 1);
  });

  test("a stale set is reloaded in the background: a retired key stops verifying without an unknown kid", async () => {
    server.mode = "up";
    server.keys = [k1.jwk];
    now = NOW;
    const v = await build();
    const token = await sign(k1, claims({ exp: NOW + 3600 }));
    server.keys = [k2.jwk];
    assert.ok((await v.verify(token, NOW + 301)).ok, "answered from the cache while the reload runs");
    for (let i = 0; i < 50 && v.status()[ISS]?.loadedAt !== NOW + 301; i++) await new Promise((r) => setTimeout(r, 20));
    failed(await v.verify(token, NOW + 302), "unknown_key");
  });

  test("start-up with the URL down: its tokens fail unknown_key until a reload succeeds", async () => {
    server.mode = "down";
    now = NOW;
    const v = await build();
    assert.equal(v.status()[ISS]?.loaded, false);
    const token = await sign(k1, claims());
    const r = await v.verify(token, NOW + 1);
    assert.equal(failed(r, "unknown_key"), "the keys of the token's issuer are not available");
    server.mode = "up";
    server.keys = [k1.jwk];
    failed(await v.verify(token, NOW + 2), "unknown_key"); // rate-limited since the start-up attempt
    assert.ok((await v.verify(token, NOW + 31)).ok);
  });

  test("a SPIFFE JWT-SVID (sub spiffe://…) from a SPIFFE bundle endpoint: x509-svid entries are not signing keys", async () => {
    const svid = makeKey("ES256", "svid-1", { use: "jwt-svid" });
    const x509 = makeKey("ES256", "svid-1", { use: "x509-svid" });
    const spire = await startJwksServer([{ ...x509.jwk, kid: "x509-1" }, svid.jwk, { ...makeKey("RS256", "x509-2").jwk, use: "x509-svid" }]);
    try {
      const td = "https://spire.example.org";
      const v = await createTokenVerifier(
        issuersAt([{ issuer: td, audiences: ["spiffe://example.org/custos"], jwks_uri: spire.url, algorithms: ["ES256", "RS256"] }]),
        { clock: () => NOW },
      );
      assert.equal(v.status()[td]?.keys, 1);
      const id = "spiffe://example.org/ns/prod/sa/support-agent";
      const token = await sign(svid, { iss: td, sub: id, aud: ["spiffe://example.org/custos"], exp: NOW + 300, iat: NOW }, { typ: "JWT" });
      const r = await v.verify(token, NOW);
      assert.ok(r.ok);
      assert.deepEqual([r.identity.id, r.identity.scopes, r.identity.credential_id], [id, null, null]);
      failed(await v.verify(await sign({ ...x509, kid: "x509-1" }, { iss: td, sub: id, aud: "spiffe://example.org/custos", exp: NOW + 300 }), NOW), "unknown_key");
    } finally {
      await spire.close();
    }
  });

  test("keys cached: verification does no I/O and stays fast", async () => {
    server.mode = "up";
    server.keys = [k1.jwk];
    now = NOW;
    const v = await build();
    const token = await sign(k1, claims());
    const hits = server.hits;
    const n = 500;
    const began = process.hrtime.bigint();
    for (let i = 0; i < n; i++) assert.ok((await v.verify(token, NOW)).ok);
    const perToken = Number(process.hrtime.bigint() - began) / 1e6 / n;
    assert.equal(server.hits, hits);
    assert.ok(perToken < 5, `${perToken.toFixed(3)} ms per ES256 verification`);
  });
});
