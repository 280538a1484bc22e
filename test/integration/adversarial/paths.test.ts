// Attacks on tool path checks over real HTTP against the committed bundle: encoded traversal, file: URIs, Windows
// separators, NUL bytes, location-named arguments, paths nested deep or hidden under unknown names, arguments past
// the walk's bounds, and paths (with secrets or e-mail addresses in them) echoed in the reason message.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { startApp, withoutPrincipalRisk, type RunningApp } from "../../helpers/app.js";

type Reason = { code: string; message: string };

const base = {
  event: "tool_call",
  identity: { id: "agent:coding-assistant", type: "agent", on_behalf_of: [{ id: "user:sam", type: "human" }] },
  action: "read",
  resource: { id: "repository:custos-app", type: "repository" },
  purpose: "software_development",
};

function nest(depth: number, value: unknown): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

describe("adversarial: tool paths", () => {
  let svc: RunningApp;
  let n = 0;
  before(async () => {
    svc = await startApp({ CUSTOS_DATA: withoutPrincipalRisk() });
  });
  after(async () => {
    await svc?.close();
  });

  const call = async (name: string, args: unknown) => {
    const r = await svc.post("/decide", { ...base, session: { id: `s-paths-${n++}` }, tool: { server: "github", name, arguments: args } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { decision: string; reasons: Reason[] };
  };

  const denied = async (label: string, args: unknown, name = "read_file") => {
    const d = await call(name, args);
    assert.equal(d.decision, "deny", `${label}: ${JSON.stringify(d.reasons)}`);
    assert.ok(d.reasons.some((r) => r.code === "PATH_NOT_ALLOWED"), `${label}: ${JSON.stringify(d.reasons)}`);
  };

  test("percent-encoded, double-encoded and backslash traversal to .env is PATH_NOT_ALLOWED", async () => {
    for (const path of ["src/%2e%2e/.env", "src/..%2f.env", "src/%2E%2E%2F.env", "src/%252e%252e/.env", "src/%25252e%25252e/.env", "src\\..\\.env", "src%5c..%5c.env", "src/.%2e/.env"]) {
      await denied(path, { path });
    }
  });

  test("file: URIs are paths; other schemes and hosts never match", async () => {
    for (const path of ["file:///etc/passwd", "file://localhost/etc/passwd", "file:src/../.env", "file://attacker.example/src/app.ts", "https://attacker.example/src/app.ts", "FILE:///C:/Windows/win.ini"]) {
      await denied(path, { path });
    }
    const ok = await call("read_file", { path: "file:src/app.ts" });
    assert.equal(ok.decision, "allow", JSON.stringify(ok.reasons));
  });

  test("NUL bytes, control characters, drives and UNC paths never match", async () => {
    for (const path of ["src/app.ts\u0000/../../.env", "src/app.ts%00.md", "src/a\nb", "C:\\repo\\src\\app.ts", "\\\\server\\share\\src\\x", "~/src/x"]) {
      await denied(JSON.stringify(path), { path });
    }
  });

  test("uri, url, target, source, dest and other location-named arguments are paths", async () => {
    for (const key of ["uri", "url", "target", "source", "dest", "destination", "src", "location", "fileUri", "repo_url"]) {
      await denied(key, { path: "src/app.ts", [key]: "../../.env" });
    }
  });

  test("paths at any depth, and path-like values under unknown names, are checked", async () => {
    await denied("10 levels deep", { path: "src/app.ts", options: nest(10, { path: "../.env" }) });
    await denied("20 levels deep under an unknown name", { path: "src/app.ts", options: nest(20, { x: "../../.env" }) });
    await denied("unknown name at the top", { path: "src/app.ts", ref: "../../etc/passwd" });
    await denied("array of paths", { path: "src/app.ts", include: ["src/a.ts", "../.env"] });
    await denied("dot file under an unknown name", { path: "src/app.ts", extra: ".env" });
  });

  test("arguments at the validator's depth and beyond the walk's string bound fail closed", async () => {
    // Deeper nesting than the walk's bound is refused by request validation (400) before it gets here.
    await denied("28 levels deep", { path: "src/app.ts", options: nest(28, { dir: "../x" }) });
    const block = () => Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v"]));
    await denied("600 strings", { path: "src/app.ts", ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`o${i}`, block()])) });
  });

  test("ordinary tools still work", async () => {
    for (const args of [{ path: "src/app.ts" }, { path: "src/app.ts", ref: "main" }, { path: "docs/a/../b.md", encoding: "utf-8", max_bytes: 4096 }, { path: "README.md", options: { recursive: false, mode: "text" } }]) {
      const d = await call("read_file", args);
      assert.equal(d.decision, "allow", `${JSON.stringify(args)}: ${JSON.stringify(d.reasons)}`);
    }
    const list = await call("list_dir", { path: "." });
    assert.equal(list.decision, "allow", JSON.stringify(list.reasons));
    // A tool without path rules takes any string.
    const pr = await svc.post("/decide", { ...base, action: "invoke", resource: { id: "tool:github", type: "tool" }, session: { id: "s-paths-pr" }, tool: { server: "github", name: "create_pull_request", arguments: { title: "Fix a/b", body: "see ../docs and https://example.com/x" } } });
    assert.equal(pr.body.decision, "allow", JSON.stringify(pr.body.reasons));
  });

  test("path_args name exactly the arguments that hold paths", async () => {
    const overlay = {
      governance: {
        principals: {
          "agent:coding-assistant": {
            tools: { "github/write_file": { paths: ["src/**"], path_args: ["path", "dest"] } },
          },
        },
      },
    };
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "custos-paths-")), "data.json");
    writeFileSync(file, JSON.stringify(overlay));
    const own = await startApp({ CUSTOS_DATA: file });
    try {
      const post = async (args: unknown) => (await own.post("/decide", { ...base, action: "write", session: { id: `s-pa-${n++}` }, identity: { ...base.identity }, tool: { server: "github", name: "write_file", arguments: args } })).body as { decision: string; reasons: Reason[] };
      const fine = await post({ path: "src/a.ts", content: "import x from '../../lib/x'; // see /etc/hosts" });
      assert.ok(!fine.reasons.some((r) => r.code === "PATH_NOT_ALLOWED"), JSON.stringify(fine.reasons));
      for (const args of [{ path: "src/a.ts", dest: "../.env" }, { path: "src/a.ts", ops: [{ dest: "%2e%2e/.env" }] }, { path: ".env", content: "x" }]) {
        const d = await post(args);
        assert.ok(d.reasons.some((r) => r.code === "PATH_NOT_ALLOWED"), `${JSON.stringify(args)}: ${JSON.stringify(d.reasons)}`);
      }
    } finally {
      await own.close();
    }
  });

  test("a secret or an e-mail address inside a path is never quoted in the message or the log", async () => {
    const secret = "ghp_" + "R4nd0mT0k3nV4lu3Xq9Lm2Pz8Wc5Yb7Nd1Kf"; // synthetic, split so no scanner flags this file
    const mail = "dana.example@" + "example.org";
    for (const path of [`../${secret}/.env`, `/home/${mail}/.ssh/id_rsa`]) {
      const d = await call("read_file", { path });
      assert.equal(d.decision, "deny");
      assert.ok(d.reasons.some((r) => r.code === "PATH_NOT_ALLOWED"), JSON.stringify(d.reasons));
      for (const r of d.reasons) {
        assert.ok(!r.message.includes(secret) && !r.message.includes(mail), `${r.code}: ${r.message}`);
        assert.ok(!r.message.includes(".ssh") && !r.message.includes(".env"), `${r.code} quotes the path: ${r.message}`);
      }
    }
    await svc.app.close();
    const log = readFileSync(svc.auditPath, "utf8");
    assert.ok(!log.includes(secret) && !log.includes(mail), "neither value in the decision log");
    svc = await startApp();
  });
});
