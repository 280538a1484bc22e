// Wraps an MCP client's transport so that every tool call is judged by Custos and tool lists show only allowed tools.
import type { JsonRpcId, JsonRpcMessage, JsonRpcRequest, McpGuard, ToolsListResult } from "./mcp.js";

/**
 * The MCP SDK's `Transport` (`@modelcontextprotocol/sdk/shared/transport.js`), declared structurally so that this
 * module needs no SDK at run time. Any SDK transport (stdio, Streamable HTTP, in-memory) fits it.
 */
export interface McpTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage, options?: unknown): Promise<void>;
  close(): Promise<void>;
  // Callbacks in method syntax: checked bivariantly, so the SDK's narrower message types fit both ways.
  onmessage?(message: JsonRpcMessage, extra?: unknown): void;
  onclose?(): void;
  onerror?(error: Error): void;
  sessionId?: string | undefined;
  setProtocolVersion?(version: string): void;
}

function isRequest(m: JsonRpcMessage): m is JsonRpcMessage & JsonRpcRequest {
  return typeof m.method === "string" && (typeof m.id === "string" || typeof m.id === "number");
}

function isToolsList(result: unknown): result is ToolsListResult {
  return !!result && typeof result === "object" && Array.isArray((result as ToolsListResult).tools);
}

/**
 * Wraps the transport an MCP client talks through (client side: messages it sends go to the server). A `tools/call`
 * request is judged first: allowed, it is forwarded (with redacted arguments when Custos says so); refused, it is
 * answered here with the JSON-RPC error and never reaches the server. The result of a `tools/list` request is
 * filtered before the client sees it. Incoming messages keep their order.
 *
 * @example
 * const client = new Client({ name: "agent", version: "1.0.0" });
 * await client.connect(guardTransport(new StdioClientTransport({ command: "files-server" }), guard));
 */
export function guardTransport(inner: McpTransport, guard: McpGuard): McpTransport {
  /** Pending `tools/list` requests by id. */
  const listing = new Map<JsonRpcId, JsonRpcRequest>();
  /** Delivery chain of incoming messages: filtering a list is async, and later messages must not overtake it. */
  let delivery: Promise<void> = Promise.resolve();
  const enqueue = (deliver: () => void | Promise<void>): void => {
    delivery = delivery.then(deliver).catch((err: unknown) => outer.onerror?.(err instanceof Error ? err : new Error(String(err))));
  };

  const outer: McpTransport = {
    start: () => inner.start(),
    close: () => inner.close(),
    get sessionId() {
      return inner.sessionId;
    },
    setProtocolVersion: (version) => inner.setProtocolVersion?.(version),

    async send(message, options) {
      if (!isRequest(message)) return inner.send(message, options);
      if (message.method === "tools/list") {
        listing.set(message.id, message);
        return inner.send(message, options);
      }
      const check = await guard.checkCall(message);
      if (check.allowed) return inner.send(check.request, options);
      const response: JsonRpcMessage = check.response;
      enqueue(() => outer.onmessage?.(response));
    },
  };

  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  inner.onmessage = (message, extra) => {
    enqueue(async () => {
      const id = message.id as JsonRpcId | undefined;
      const request = id === undefined || isRequest(message) ? undefined : listing.get(id);
      if (request && id !== undefined) {
        listing.delete(id);
        const result = message.result;
        if (isToolsList(result)) {
          try {
            message = { ...message, result: await guard.filterList(result, request) };
          } catch (err) {
            // Fail closed: an unfiltered list would advertise tools the agent may not call.
            outer.onerror?.(err instanceof Error ? err : new Error(String(err)));
            message = { ...message, result: { ...result, tools: [] } };
          }
        }
      }
      outer.onmessage?.(message, extra);
    });
  };
  return outer;
}
