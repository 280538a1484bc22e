// Adversarial cases at the interop and embedding edges: an embedded router on all interfaces, the Data API's GET
// input, MCP tool calls sent as notifications or in batches, tool lists while Custos is down, and 401 challenges.
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import express from "express";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { createApp, loadConfig, type App } from "../../../src/index.js";
import { createCustosClient, createMcpGuard, guardTransport, MCP_DENIED, type CustosClient, type JsonRpcMessage, type McpTransport } from "../../../src/index.js";
import { silentLogger } from "../../../src/observability/logger.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { closedPort } from "../pep/net.js";

const prompt = {
  session: { id: "s-embed" },
  event: "prompt",
  identity: { id: "t:mcp-agent", type: "agent" },
  purpose: "testing",
  data: { text: "hello" },
};

/** Custos built as an embedding app would build it (no listening on custos.server). */
async function embeddedCustos(options: { loopbackOnly?: boolean } = {}): Promise<{ custos: App; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "custos-embed-"));
  const config = loadConfig({ CUSTOS_AUDIT_LOG: join(dir, "audit.jsonl"), CUSTOS_DATA: "test/fixtures/pep-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
  const custos = await createApp(config, { logger: silentLogger(), ...options });
  return {
    custos,
    async cleanup() {
      await custos.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The README's snippet: a host Express app with Custos mounted at /custos, listening on every interface. */
async function hostApp(custos: App): Promise<{ server: HttpServer; port: number }> {
  const app = express();
  app.use("/custos", custos.router);
  app.use(express.json());
  const server = app.listen(0, "0.0.0.0");
  await once(server, "listening");
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

const closeServer = (server: HttpServer) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return null;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe("embedded router without PEP authentication", () => {
  test("mounted as the README shows, on 0.0.0.0: every decision route answers 401 with a Bearer challenge", async () => {
    const { custos, cleanup } = await embeddedCustos();
    const { server, port } = await hostApp(custos);
    try {
      const base = `http://127.0.0.1:${port}/custos`;
      const decide = await post(`${base}/decide`, prompt);
      assert.equal(decide.status, 401);
      assert.equal(decide.body.code, "unauthorized");
      assert.match(decide.body.message, /loopbackOnly/);
      assert.equal(decide.headers.get("www-authenticate"), 'Bearer realm="custos"');
      const authzen = await post(`${base}/access/v1/evaluation`, {
        subject: { type: "agent", id: "t:mcp-agent" },
        action: { name: "read" },
        resource: { type: "tool", id: "files/read_file" },
      });
      assert.equal(authzen.status, 401);
      assert.equal((await post(`${base}/v1/data/custos/main/decision`, { input: {} })).status, 401);
      assert.equal((await fetch(`${base}/v1/data/custos/main/decision`)).status, 401);
      // What needs no PEP credential still answers.
      assert.equal((await fetch(`${base}/health/live`)).status, 200);
    } finally {
      await closeServer(server);
      await cleanup();
    }
  });

  test("with loopbackOnly: decisions are served over a loopback connection", async () => {
    const { custos, cleanup } = await embeddedCustos({ loopbackOnly: true });
    const { server, port } = await hostApp(custos);
    try {
      const decide = await post(`http://127.0.0.1:${port}/custos/decide`, prompt);
      assert.equal(decide.status, 200);
      assert.equal(decide.body.decision, "allow");
    } finally {
      await closeServer(server);
      await cleanup();
    }
  });

  test("with loopbackOnly but listening on 0.0.0.0: a connection to a non-loopback address is refused with 401", async (t) => {
    const address = externalAddress();
    if (!address) {
      t.skip("this machine has no non-loopback IPv4 address");
      return;
    }
    const { custos, cleanup } = await embeddedCustos({ loopbackOnly: true });
    const { server, port } = await hostApp(custos);
    try {
      const decide = await post(`http://${address}:${port}/custos/decide`, prompt);
      assert.equal(decide.status, 401);
      assert.equal(decide.headers.get("www-authenticate"), 'Bearer realm="custos"');
      assert.match(decide.body.message, /non-loopback/);
      assert.equal((await post(`http://127.0.0.1:${port}/custos/decide`, prompt)).status, 200);
    } finally {
      await closeServer(server);
      await cleanup();
    }
  });
});

describe("401 challenges", () => {
  let svc: RunningApp;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "custos-peps-"));
    const { writeFileSync } = await import("node:fs");
    const { createHash } = await import("node:crypto");
    const file = join(dir, "peps.json");
    writeFileSync(file, JSON.stringify({ peps: [{ name: "gw", token_sha256: createHash("sha256").update("pep-secret-token").digest("hex") }] }));
    svc = await startApp({ CUSTOS_PEP_TOKENS_FILE: file, CUSTOS_ADMIN_TOKEN: "admin-secret-token", CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
  });
  after(() => svc.close());

  test("every 401, PEP and admin, carries WWW-Authenticate: Bearer realm=\"custos\"", async () => {
    const pep = await svc.post("/decide", prompt);
    assert.equal(pep.status, 401);
    assert.equal(pep.headers.get("www-authenticate"), 'Bearer realm="custos"');
    const admin = await fetch(`${svc.url}/admin/sessions/s-1`);
    assert.equal(admin.status, 401);
    assert.equal(admin.headers.get("www-authenticate"), 'Bearer realm="custos"');
    const ok = await svc.post("/decide", prompt, { authorization: "Bearer pep-secret-token" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("www-authenticate"), null);
  });
});

describe("OPA Data API: GET with ?input=", () => {
  let gov: RunningApp;
  const ADMIN = { authorization: "Bearer data-get-admin-token" };
  before(async () => {
    gov = await startApp({ CUSTOS_ADMIN_TOKEN: "data-get-admin-token", CUSTOS_DATA: "test/fixtures/pep-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
  });
  after(() => gov.close());

  test("the input query parameter is honoured: GET decides as POST does (allow where OPA allows)", async () => {
    const explained = await gov.post("/decide?explain=1", prompt, ADMIN);
    assert.equal(explained.status, 200);
    const input = explained.body.explain.input;
    const viaPost = await gov.post("/v1/data/custos/main/decision", { input });
    assert.equal(viaPost.status, 200);
    assert.equal(viaPost.body.result.decision, "allow");
    const viaGet = await gov.get(`/v1/data/custos/main/decision?input=${encodeURIComponent(JSON.stringify(input))}`);
    assert.equal(viaGet.status, 200);
    assert.deepEqual(viaGet.body.result, viaPost.body.result);
    const without = await gov.get("/v1/data/custos/main/decision");
    assert.equal(without.status, 200);
    assert.notEqual(without.body.result?.decision, "allow");
  });

  test("a bad input parameter is a 400 naming it, never ignored", async () => {
    const path = "/v1/data/custos/main/decision";
    for (const query of ["input=%7Bnot-json", "input=", `input=1&input=2`]) {
      const r = await gov.get(`${path}?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.code, "invalid_request");
      assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field), ["input"], query);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const tooDeep = await gov.get(`${path}?input=${encodeURIComponent(JSON.stringify(deep))}`);
    assert.equal(tooDeep.status, 400);
    assert.match(tooDeep.body.errors[0].field, /^input/);
  });
});

/** A files MCP server that counts its tool handler runs. */
function filesServer(): { server: Server; invoked: Record<string, number> } {
  const invoked: Record<string, number> = {};
  const server = new Server({ name: "files", version: "1.0.0" }, { capabilities: { tools: {} } });
  const schema = { type: "object", properties: { path: { type: "string" } } } as const;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: ["read_file", "list_dir", "delete_file"].map((name) => ({ name, inputSchema: schema })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    invoked[req.params.name] = (invoked[req.params.name] ?? 0) + 1;
    return { content: [{ type: "text", text: "done" }] };
  });
  return { server, invoked };
}

function guardOf(client: CustosClient) {
  return createMcpGuard({ client, server: "files", identity: { id: "t:mcp-agent", type: "agent" }, session: () => "s-mcp-adv", purpose: "testing" });
}

/** An inner transport that records what the guard forwards and lets the test answer. */
function recordingTransport(): McpTransport & { sent: unknown[] } {
  const t: McpTransport & { sent: unknown[] } = {
    sent: [],
    async start() {},
    async close() {},
    async send(message) {
      t.sent.push(message);
    },
  };
  return t;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
/** Waits (bounded) until `check` holds: the guard asks Custos over HTTP, which a loaded machine may slow down. */
async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await settle();
}

describe("MCP guard: every tools/call is judged, lists fail closed", () => {
  let svc: RunningApp;
  before(async () => {
    svc = await startApp({ CUSTOS_DATA: "test/fixtures/pep-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0", CUSTOS_AUDIT_LOG: "off" });
  });
  after(() => svc.close());

  test("a tools/call sent as a notification (no id) is judged: denied, it never reaches the server", async () => {
    const { server, invoked } = filesServer();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const errors: Error[] = [];
    const guarded = guardTransport(clientSide, guardOf(createCustosClient({ baseUrl: svc.url })));
    const client = new Client({ name: "adv-agent", version: "1.0.0" });
    await client.connect(guarded);
    guarded.onerror = (e) => errors.push(e);
    try {
      await guarded.send({ jsonrpc: "2.0", method: "tools/call", params: { name: "delete_file", arguments: { path: "docs/a.md" } } });
      await guarded.send({ jsonrpc: "2.0", id: null, method: "tools/call", params: { name: "read_file", arguments: { path: "docs/../.env" } } } as JsonRpcMessage);
      await settle();
      assert.equal(invoked.delete_file ?? 0, 0);
      assert.equal(invoked.read_file ?? 0, 0);
      assert.equal(errors.length, 2);
      assert.ok(errors.every((e) => /notification was not forwarded/.test(e.message)));
      // An allowed call still goes through.
      await client.callTool({ name: "read_file", arguments: { path: "docs/guide.md" } });
      assert.equal(invoked.read_file, 1);
    } finally {
      await client.close();
    }
  });

  test("a JSON-RPC batch is judged item by item: refused items are answered here, allowed ones go on", async () => {
    const inner = recordingTransport();
    const guarded = guardTransport(inner, guardOf(createCustosClient({ baseUrl: svc.url })));
    const answers: unknown[] = [];
    guarded.onmessage = (m) => answers.push(m);
    await guarded.send([
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "delete_file", arguments: { path: "docs/a.md" } } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "read_file", arguments: { path: "docs/a.md" } } },
      { jsonrpc: "2.0", method: "tools/call", params: { name: "delete_file", arguments: { path: "docs/b.md" } } },
      { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } },
    ]);
    await eventually(() => inner.sent.length === 1 && answers.length === 1);
    assert.equal(inner.sent.length, 1);
    const forwarded = inner.sent[0] as { id?: number; method: string; params?: { name?: string } }[];
    assert.ok(Array.isArray(forwarded));
    assert.deepEqual(
      forwarded.map((m) => [m.id ?? null, m.params?.name ?? m.method]),
      [
        [2, "read_file"],
        [null, "notifications/progress"],
      ],
    );
    assert.equal(answers.length, 1);
    const refused = answers[0] as { id: number; error: { code: number } };
    assert.equal(refused.id, 1);
    assert.equal(refused.error.code, MCP_DENIED);

    // A batch whose every item is refused sends nothing.
    const before = inner.sent.length;
    await guarded.send([{ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "delete_file", arguments: {} } }]);
    await settle();
    assert.equal(inner.sent.length, before);

    // A batch answer's tools/list result is filtered like a single one.
    await guarded.send([{ jsonrpc: "2.0", id: 9, method: "tools/list" }]);
    const answered = answers.length;
    inner.onmessage?.([{ jsonrpc: "2.0", id: 9, result: { tools: [{ name: "read_file" }, { name: "delete_file" }] } }]);
    await eventually(() => answers.length > answered);
    const listed = answers.at(-1) as { result: { tools: { name: string }[] } }[];
    assert.deepEqual(listed[0]?.result.tools.map((t) => t.name), ["read_file"]);
  });

  test("Custos unreachable: tools/list answers an empty list (fail closed), also for a fail-open client", async () => {
    for (const failOpen of [false, true]) {
      const { server } = filesServer();
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const custos = createCustosClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retries: 0, failOpen });
      const client = new Client({ name: "adv-agent", version: "1.0.0" });
      await client.connect(guardTransport(clientSide, guardOf(custos)));
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools, [], `failOpen ${failOpen}`);
      } finally {
        await client.close();
      }
    }
  });
});
