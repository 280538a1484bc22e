// MCP end to end: the official SDK's client and server, linked in memory, with guardTransport asking a real Custos.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { createCustosClient, createMcpGuard, guardTransport, MCP_DENIED, MCP_UNAVAILABLE, type CustosClient } from "../../../src/index.js";
import { startApp, type RunningApp } from "../../helpers/app.js";
import { closedPort } from "./net.js";

const FILES: Record<string, string> = { "docs/guide.md": "# Guide\nHello.", ".env": "TOKEN=do-not-leak" };
const pathSchema = { type: "object", properties: { path: { type: "string" } }, required: ["path"] } as const;

/** A "files" MCP server (read_file, list_dir, delete_file) that counts how often each tool handler runs. */
function filesServer(): { server: Server; invoked: Record<string, number> } {
  const invoked: Record<string, number> = { read_file: 0, list_dir: 0, delete_file: 0 };
  const server = new Server({ name: "files", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      { name: "read_file", description: "Read a file", inputSchema: pathSchema },
      { name: "list_dir", description: "List a directory", inputSchema: pathSchema },
      { name: "delete_file", description: "Delete a file", inputSchema: pathSchema },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const name = req.params.name;
    invoked[name] = (invoked[name] ?? 0) + 1;
    const path = String(req.params.arguments?.path ?? "");
    if (name === "read_file") return { content: [{ type: "text", text: FILES[path] ?? "" }] };
    if (name === "list_dir") return { content: [{ type: "text", text: Object.keys(FILES).filter((f) => f.startsWith(path)).join("\n") }] };
    return { content: [{ type: "text", text: `deleted ${path}` }] };
  });
  return { server, invoked };
}

/** An SDK client connected to a fresh files server through guardTransport. */
async function connect(custos: CustosClient, session: string) {
  const { server, invoked } = filesServer();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const guard = createMcpGuard({
    client: custos,
    server: "files",
    identity: { id: "t:mcp-agent", type: "agent" },
    session: () => session,
    purpose: "testing",
  });
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(guardTransport(clientSide, guard));
  return { client, invoked, close: () => client.close() };
}

async function rejection(p: Promise<unknown>): Promise<McpError> {
  const err = await p.then(
    (v) => assert.fail(`expected a JSON-RPC error, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof McpError, String(err));
  return err;
}

const codesOf = (err: McpError) => (err.data as { reasons: { code: string }[] }).reasons.map((r) => r.code);

describe("MCP enforcement (guardTransport + SDK client and server)", () => {
  let svc: RunningApp;
  let mcp: Awaited<ReturnType<typeof connect>>;
  before(async () => {
    svc = await startApp({ CUSTOS_DATA: "test/fixtures/pep-registry.json", CUSTOS_WATCH_INTERVAL_MS: "0" });
    mcp = await connect(createCustosClient({ baseUrl: svc.url }), "s-mcp-1");
  });
  after(async () => {
    await mcp.close();
    await svc.close();
  });

  test("tools/list shows only the tools the agent may call", async () => {
    const { tools } = await mcp.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ["list_dir", "read_file"]);
    assert.equal(tools.find((t) => t.name === "read_file")?.description, "Read a file");
  });

  test("an allowed call reaches the server and returns the tool's result", async () => {
    const result = await mcp.client.callTool({ name: "read_file", arguments: { path: "docs/guide.md" } });
    assert.deepEqual(result.content, [{ type: "text", text: "# Guide\nHello." }]);
    assert.equal(mcp.invoked.read_file, 1);
  });

  test("a tool the agent may not use: -32001 with TOOL_NOT_ALLOWED, and the server never runs it", async () => {
    const err = await rejection(mcp.client.callTool({ name: "delete_file", arguments: { path: "docs/guide.md" } }));
    assert.equal(err.code, MCP_DENIED);
    assert.deepEqual(codesOf(err), ["TOOL_NOT_ALLOWED"]);
    const data = err.data as { decision: string; decision_id: string; obligations: unknown[] };
    assert.equal(data.decision, "deny");
    assert.match(data.decision_id, /^[0-9a-f-]{36}$/);
    assert.ok(Array.isArray(data.obligations));
    assert.equal(mcp.invoked.delete_file, 0);
  });

  test("a path that climbs out of the allowed globs (docs/../.env) is denied with PATH_NOT_ALLOWED", async () => {
    const before = mcp.invoked.read_file;
    const err = await rejection(mcp.client.callTool({ name: "read_file", arguments: { path: "docs/../.env" } }));
    assert.equal(err.code, MCP_DENIED);
    assert.ok(codesOf(err).includes("PATH_NOT_ALLOWED"), JSON.stringify(err.data));
    assert.equal(mcp.invoked.read_file, before);
  });

  test("Custos unreachable: -32603 and nothing runs (fail closed)", async () => {
    const orphan = await connect(createCustosClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, retries: 0 }), "s-mcp-down");
    try {
      const err = await rejection(orphan.client.callTool({ name: "read_file", arguments: { path: "docs/guide.md" } }));
      assert.equal(err.code, MCP_UNAVAILABLE);
      assert.deepEqual(codesOf(err), ["PDP_UNAVAILABLE"]);
      assert.equal(orphan.invoked.read_file, 0);
    } finally {
      await orphan.close();
    }
  });
});
