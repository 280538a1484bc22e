// The Redis store against servers that authenticate: `requirepass` (default user), an ACL user limited to the
// ledger's keys and commands (the shared contract runs as that user), wrong credentials that fail closed without
// the password in any message, and TLS with a CA and client certificates generated here with openssl.
import assert from "node:assert/strict";
import { readmeAcl } from "../../helpers/readme-acl.js";
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { StateUnavailableError, type SessionStore, type SessionUpdate } from "../../../src/decision/ports.js";
import { createRedisStore, type RedisStoreOptions } from "../../../src/session/redis-store.js";
import { startRedisNode, type RedisNode } from "../../helpers/redis-node.js";
import { describeCrossSessionContract } from "../../helpers/state-contract.js";
import { describeStoreContract } from "../../helpers/store-contract.js";

const DEFAULT_PASSWORD = "default-Secret-9";
/** Characters that must be percent-encoded in a URL, so the test also proves the decoding. */
const ACL_PASSWORD = "p@ss:w/rd?#%-7";
const enc = encodeURIComponent;

/**
 * The least the store needs, as documented in the README: its commands, the commands its scripts run, INFO for
 * the ready check and CLUSTER SLOTS/INFO on a Cluster; keys under its prefix only.
 */
const LEDGER_ACL = readmeAcl();

const update = (sessionId: string): SessionUpdate => ({
  sessionId,
  riskDelta: 1,
  violation: true,
  terminate: null,
  riskThreshold: 0,
  classification: null,
  event: { at: Date.now(), kind: "decision", ref: randomUUID(), detail: "deny", event: "prompt" },
  approval: null,
  now: Date.now(),
});

/** Every error of every public call, with nothing of `secret` anywhere in it (message, cause, stack). */
async function assertFailsClosedWithout(store: SessionStore, secret: string, reported: Error[]): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000);
  let sample = "";
  for (const call of [
    () => store.ping(),
    () => store.read({ sessionId: "s", principalId: "p", credentialId: "c", approvalId: "a", now: nowS }),
    () => store.apply(update("s")),
    () => store.terminate("s", "r", "soc", Date.now()),
  ]) {
    const started = performance.now();
    await assert.rejects(call(), (err: Error) => {
      sample = err.message;
      const all = inspect(err, { depth: 5 });
      return err instanceof StateUnavailableError && !all.includes(secret) && !all.includes(enc(secret));
    });
    assert.ok(performance.now() - started < 1000, "fails within a second");
  }
  for (const err of reported) assert.ok(!inspect(err).includes(secret) && !inspect(err).includes(enc(secret)), "onError never gets the password");
  return sample;
}

describe("redis store with AUTH and ACL", { timeout: 60_000 }, () => {
  let server: RedisNode;
  const stores: SessionStore[] = [];
  const open = (options: RedisStoreOptions) => {
    const store = createRedisStore(options);
    stores.push(store);
    return store;
  };
  const url = (userinfo: string) => `redis://${userinfo}@127.0.0.1:${server.port}`;
  before(async () => {
    server = await startRedisNode({ args: ["--requirepass", DEFAULT_PASSWORD, "--user", "custos", "on", `>${ACL_PASSWORD}`, ...LEDGER_ACL] });
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  describeStoreContract("redis, ACL user limited to the ledger's keys and commands", async (options = {}) => {
    const store = createRedisStore({ url: url(`custos:${enc(ACL_PASSWORD)}`), ...options });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  describeCrossSessionContract("redis, ACL user limited to the ledger's keys and commands", async () => {
    const store = createRedisStore({ url: url(`custos:${enc(ACL_PASSWORD)}`) });
    return { store, now: Date.now, advance: (ms) => sleep(ms) };
  });

  test("the default user's password (requirepass) works; so does wait_replicas=0 on a server without replicas", async () => {
    const store = open({ url: url(`:${DEFAULT_PASSWORD}`) });
    assert.equal((await store.apply(update(`s-${randomUUID()}`))).violations, 1);
  });

  test("the ACL user is held to its keys: another prefix is refused (NOPERM), as a StateUnavailableError", async () => {
    const store = open({ url: url(`custos:${enc(ACL_PASSWORD)}`), keyPrefix: "other:" });
    await assert.rejects(store.apply(update("s")), (err: Error) => err instanceof StateUnavailableError && /NOPERM/.test(err.message));
  });

  test("a wrong password, a wrong user, no password: every call fails closed, and no message holds the password", async (t) => {
    const wrong = "wrong-Pa55-word!";
    const cases: [string, string][] = [
      [`custos:${enc(wrong)}`, wrong],
      [`nobody:${enc(ACL_PASSWORD)}`, ACL_PASSWORD],
      [`:${enc(wrong)}`, wrong],
    ];
    for (const [userinfo, secret] of cases) {
      const reported: Error[] = [];
      const store = open({ url: url(userinfo), onError: (err) => reported.push(err) });
      const sample = await assertFailsClosedWithout(store, secret, reported);
      t.diagnostic(`${userinfo.split(":")[0] || "(default user)"}: ${sample}`);
    }
    const none = open({ url: `redis://127.0.0.1:${server.port}` });
    await assert.rejects(none.ping(), (err: Error) => err instanceof StateUnavailableError && /NOAUTH/.test(err.message));
  });

  test("a URL the store cannot use is refused at creation, without the password", () => {
    assert.throws(() => createRedisStore({ url: `redis://custos:${ACL_PASSWORD}@127.0.0.1:${server.port}` }), (err: Error) => !err.message.includes("w/rd"));
  });
});

describe("redis store over TLS", { timeout: 60_000 }, () => {
  const unavailable = tlsUnavailable();
  let server: RedisNode | null = null;
  let dir = "";
  const stores: SessionStore[] = [];
  const open = (options: RedisStoreOptions) => {
    const store = createRedisStore(options);
    stores.push(store);
    return store;
  };
  before(async () => {
    if (unavailable) return;
    dir = mkdtempSync(join(tmpdir(), "custos-tls-"));
    makeCertificates(dir);
    server = await startRedisNode({
      tlsOnly: true,
      args: ["--tls-cert-file", join(dir, "server.crt"), "--tls-key-file", join(dir, "server.key"), "--tls-ca-cert-file", join(dir, "ca.crt"), "--tls-auth-clients", "yes"],
    });
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const tlsUrl = (query: string) => `rediss://127.0.0.1:${server!.port}${query}`;
  const mutual = () => `?tls_ca=${enc(join(dir, "ca.crt"))}&tls_cert=${enc(join(dir, "client.crt"))}&tls_key=${enc(join(dir, "client.key"))}`;

  test("rediss:// with tls_ca and a client certificate works", { skip: unavailable }, async () => {
    const store = open({ url: tlsUrl(mutual()) });
    const s = `s-${randomUUID()}`;
    assert.equal((await store.apply(update(s))).violations, 1);
    assert.equal((await store.read({ sessionId: s, principalId: "p", credentialId: null, approvalId: null, now: 0 })).session.violations, 1);
  });

  test("an unknown CA, a missing client certificate, plaintext to the TLS port: each fails closed", { skip: unavailable }, async (t) => {
    for (const [label, url] of [
      ["no tls_ca (server certificate from an unknown CA)", tlsUrl("")],
      ["no client certificate (tls-auth-clients yes)", tlsUrl(`?tls_ca=${enc(join(dir, "ca.crt"))}`)],
      ["plaintext redis:// to the TLS port", `redis://127.0.0.1:${server!.port}`],
    ] as const) {
      const errors: Error[] = [];
      const store = open({ url, onError: (err) => errors.push(err) });
      const started = performance.now();
      await assert.rejects(store.ping(), StateUnavailableError, label);
      assert.ok(performance.now() - started < 1000, label);
      await sleep(100);
      t.diagnostic(`${label}: ${errors[0]?.message ?? "(no error event)"}`);
    }
  });

  test("an unreadable tls_ca file is refused when the store is created", { skip: unavailable }, () => {
    assert.throws(() => createRedisStore({ url: tlsUrl("?tls_ca=/nonexistent/ca.pem") }), /cannot read the tls_ca file/);
  });
});

/** Why TLS cannot be tested here, or `false` when it can. */
function tlsUnavailable(): string | false {
  if (spawnSync("openssl", ["version"]).status !== 0) return "openssl is not installed";
  const probe = spawnSync("redis-server", ["--port", "0", "--tls-port", "0", "--tls-cert-file", "/nonexistent"], { encoding: "utf8", timeout: 5000 });
  const output = `${probe.stdout}${probe.stderr}`;
  if (/Bad directive|not supported|TLS.*disabled/i.test(output)) return "this redis-server is built without TLS";
  return false;
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, valid for a day (EC P-256). */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) => openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
  key("ca");
  openssl("req", "-x509", "-new", "-key", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=custos-test-ca");
  for (const [name, ext] of [
    ["server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"],
    ["client", "extendedKeyUsage=clientAuth\n"],
  ] as const) {
    key(name);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=custos-test-${name}`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  }
}
