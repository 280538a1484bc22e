// Wraps an MCP client's transport so that every tool call is judged by Custos, tool lists show only allowed tools, and
// what the server answers (tool results, resources, prompts) is judged before the client sees it.
import { JUDGED_RESULTS, MCP_UNAVAILABLE, type JsonRpcId, type JsonRpcMessage, type JsonRpcNotification, type JsonRpcRequest, type McpGuard, type ToolsListResult } from "./mcp.js";

/**
 * The MCP SDK's `Transport` (`@modelcontextprotocol/sdk/shared/transport.js`), declared structurally so that this
 * module needs no SDK at run time. Any SDK transport (stdio, Streamable HTTP, in-memory) fits it.
 */
export interface McpTransport {
  start(): Promise<void>;
  /** One message, or (JSON-RPC 2.0 batches, which some transports still carry) an array of them. */
  send(message: JsonRpcMessage | JsonRpcMessage[], options?: unknown): Promise<void>;
  close(): Promise<void>;
  // Callbacks in method syntax: checked bivariantly, so the SDK's narrower message types fit both ways.
  onmessage?(message: JsonRpcMessage | JsonRpcMessage[], extra?: unknown): void;
  onclose?(): void;
  onerror?(error: Error): void;
  sessionId?: string | undefined;
  setProtocolVersion?(version: string): void;
}

function isRequest(m: JsonRpcMessage): m is JsonRpcMessage & JsonRpcRequest {
  return typeof m.method === "string" && (typeof m.id === "string" || typeof m.id === "number");
}

/** Any message naming a method: a request, or a notification (no id, or an id no response could carry). */
function isCallLike(m: unknown): m is JsonRpcMessage & (JsonRpcRequest | JsonRpcNotification) {
  return !!m && typeof m === "object" && typeof (m as { method?: unknown }).method === "string";
}

function isToolsList(result: unknown): result is ToolsListResult {
  return !!result && typeof result === "object" && Array.isArray((result as ToolsListResult).tools);
}

/**
 * Wraps the transport an MCP client talks through (client side: messages it sends go to the server). Every
 * `tools/call` is judged first, request or notification: allowed, it is forwarded (with redacted arguments when
 * Custos says so); refused, it never reaches the server, and a request is answered here with the JSON-RPC error (a
 * notification is dropped and reported through `onerror`). A batch (an array) is judged item by item: the allowed
 * items go on as a batch, the refused ones are answered here. The result of a `tools/list` request is filtered
 * before the client sees it, in a batch answer too; the result of a `tools/call`, `resources/read` or `prompts/get`
 * request is judged (`McpGuard.checkResult`) and reaches the client unchanged, redacted, or replaced by the JSON-RPC
 * error. Incoming messages keep their order.
 *
 * @example
 * const client = new Client({ name: "agent", version: "1.0.0" });
 * await client.connect(guardTransport(new StdioClientTransport({ command: "files-server" }), guard));
 */
export function guardTransport(inner: McpTransport, guard: McpGuard): McpTransport {
  /** Pending `tools/list` requests by id. */
  const listing = new Map<JsonRpcId, JsonRpcRequest>();
  /** Pending requests whose results are judged, by id. */
  const judging = new Map<JsonRpcId, JsonRpcRequest>();
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
      if (Array.isArray(message)) {
        const checked = await Promise.all(message.map((m) => admit(m)));
        const forward = checked.filter((m): m is JsonRpcMessage => m !== null);
        if (forward.length > 0) await inner.send(forward, options);
        return;
      }
      const admitted = await admit(message);
      if (admitted) await inner.send(admitted, options);
    },
  };

  /** The message to forward, or null when the guard refused it (answered or reported here). */
  async function admit(message: JsonRpcMessage): Promise<JsonRpcMessage | null> {
    if (!isCallLike(message)) return message;
    if (message.method === "tools/list" && isRequest(message)) {
      listing.set(message.id, message);
      return message;
    }
    const check = await guard.checkCall(message);
    if (check.allowed) {
      if (isRequest(message) && Object.hasOwn(JUDGED_RESULTS, message.method)) judging.set(message.id, message);
      return check.request;
    }
    const response: JsonRpcMessage = check.response;
    if (isRequest(message)) {
      enqueue(() => outer.onmessage?.(response));
    } else {
      enqueue(() => outer.onerror?.(new Error(`a ${message.method} notification was not forwarded: ${check.response.error.message}`)));
    }
    return null;
  }

  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  /** A response as the client may see it: a `tools/list` result filtered. */
  async function filtered(message: JsonRpcMessage): Promise<JsonRpcMessage> {
    const id = message.id as JsonRpcId | undefined;
    const judged = id === undefined || isCallLike(message) ? undefined : judging.get(id);
    if (judged && id !== undefined) {
      judging.delete(id);
      try {
        return await guard.checkResult(judged, message);
      } catch (err) {
        // Fail closed: an unjudged result may carry what the client must not see.
        outer.onerror?.(err instanceof Error ? err : new Error(String(err)));
        return { jsonrpc: "2.0", id, error: { code: MCP_UNAVAILABLE, message: "the result could not be judged; it was withheld", data: null } };
      }
    }
    const request = id === undefined || isCallLike(message) ? undefined : listing.get(id);
    if (!request || id === undefined) return message;
    listing.delete(id);
    const result = message.result;
    if (!isToolsList(result)) return message;
    try {
      return { ...message, result: await guard.filterList(result, request) };
    } catch (err) {
      // Fail closed: an unfiltered list would advertise tools the agent may not call.
      outer.onerror?.(err instanceof Error ? err : new Error(String(err)));
      return { ...message, result: { ...result, tools: [] } };
    }
  }

  inner.onmessage = (message, extra) => {
    enqueue(async () => {
      const out = Array.isArray(message) ? await Promise.all(message.map((m) => filtered(m))) : await filtered(message);
      outer.onmessage?.(out, extra);
    });
  };
  return outer;
}
