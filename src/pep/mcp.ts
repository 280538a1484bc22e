// MCP enforcement: maps JSON-RPC `tools/call` requests and `tools/list` results to Custos `tool_call` decisions, and
// what the server answers (tool results, `resources/read`, `prompts/get`) to `tool_result`, `retrieval` and `prompt`
// decisions before the client sees it.
// Like the AuthZEN MCP profile (subject = the agent, the call = the tool on its server with its arguments), see
// https://openid.github.io/authzen/authzen-mcp-profile-1_0.html. No MCP SDK is needed at run time.
import type { DecideRequest, Obligation } from "../decision/request.js";
import { CustosClientError, type ClientDecision, type CustosClient } from "./client.js";
import { resultContent } from "./mcp-results.js";

/** A JSON-RPC 2.0 id. */
export type JsonRpcId = string | number;

/** Any JSON-RPC 2.0 message (request, notification, response). */
export type JsonRpcMessage = { jsonrpc: "2.0"; [key: string]: unknown };

/** A JSON-RPC 2.0 request. */
export type JsonRpcRequest = {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: { [key: string]: unknown };
};

/** A JSON-RPC 2.0 notification: a request without `id`, which is never answered. */
export type JsonRpcNotification = {
  jsonrpc: "2.0";
  method: string;
  params?: { [key: string]: unknown };
};

/** A JSON-RPC 2.0 error response (`id` null: the request had none that can be answered). */
export type JsonRpcErrorResponse = {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  error: { code: number; message: string; data?: unknown };
};

/** JSON-RPC error code of a call Custos denied or escalated (in the implementation-defined server error range). */
export const MCP_DENIED = -32001;
/** JSON-RPC "Internal error": Custos could not judge the call, so it was not made (fail closed). */
export const MCP_UNAVAILABLE = -32603;

/** A value, or a function of the request being judged that gives it (a notification has no `id`). */
export type PerRequest<T> = T | ((message: JsonRpcRequest | JsonRpcNotification) => T);

/** Options of {@link createMcpGuard}. */
export interface McpGuardOptions {
  client: CustosClient;
  /** Name of the MCP server as the registry knows it: the `server` of `tool`, as in `"files/read_file"`. */
  server: string;
  /** Who is calling: the agent (with its delegation chain, credential, …). */
  identity: PerRequest<DecideRequest["identity"]>;
  /** The Custos session id of the conversation. */
  session: PerRequest<string>;
  /** The purpose sent with every decision. @default undefined (none: policies that require one deny) */
  purpose?: PerRequest<string | undefined>;
  /** `context` sent with every decision (e.g. `approval_id` read from `params._meta`). @default undefined */
  context?: PerRequest<DecideRequest["context"]>;
  /**
   * Session id of the decisions that probe `tools/list` entries. The probes are real decisions (logged, counted), so
   * by default they go to a session of their own, and listing tools never adds risk to the live session.
   * @default `${session}:tools-list`
   */
  probeSession?: PerRequest<string>;
  /**
   * The registered resource a `resources/read` URI is, for its `retrieval` decision (the registry decides: an
   * unregistered resource is denied).
   * @default the URI itself as the id, type `document`
   */
  resource?: (uri: string, message: JsonRpcRequest) => NonNullable<DecideRequest["resource"]>;
}

/** The methods whose results the guard judges before the client sees them, and the event of each. */
export const JUDGED_RESULTS = { "tools/call": "tool_result", "resources/read": "retrieval", "prompts/get": "prompt" } as const;

/**
 * The outcome of {@link McpGuard.checkCall}: forward `request` (possibly with redacted arguments), or do not, and
 * answer `response` when the message had an id (a refused notification is dropped: it has nobody to answer).
 */
export type CallCheck =
  | { allowed: true; request: JsonRpcRequest | JsonRpcNotification; decision?: ClientDecision }
  | { allowed: false; response: JsonRpcErrorResponse; decision?: ClientDecision };

/** A `tools/list` result: `{ tools: [{ name, … }], nextCursor? }`. */
export interface ToolsListResult {
  tools: { name: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

/** Enforces Custos decisions on MCP traffic. */
export interface McpGuard {
  /**
   * Judges a `tools/call`, request or notification alike (whatever its `id`); any other message is allowed
   * unchanged. Never rejects.
   */
  checkCall(message: JsonRpcRequest | JsonRpcNotification): Promise<CallCheck>;
  /**
   * Filters a `tools/list` result: asks once per tool, in parallel, with a `tool_call` event without arguments, and
   * drops the tools denied with TOOL_NOT_ALLOWED, those Custos rejects as malformed, and (fail closed) those it
   * could not judge: Custos unreachable, timed out or answering `503` gives an empty list, whatever the client's
   * `failOpen`. A deny for any other reason (a terminated session) keeps the tool listed: the call itself is judged.
   */
  filterList(result: ToolsListResult, request?: JsonRpcRequest): Promise<ToolsListResult>;
  /**
   * Judges what the server answered to a request of a method in {@link JUDGED_RESULTS}: a `tools/call` result as
   * event `tool_result` (its text blocks, embedded resources and structured content), a `resources/read` result as
   * `retrieval` of the resource, a `prompts/get` result as `prompt` (its messages), each text a turn of
   * `data.messages`. Returns what the client may see: the response unchanged, the result with redacted text when
   * Custos says so, or (denied, held for approval, or not judged: fail closed) a JSON-RPC error in place of the
   * result. Error responses and other methods pass unchanged. Never rejects.
   */
  checkResult(request: JsonRpcRequest, response: JsonRpcMessage): Promise<JsonRpcMessage>;
}

function resolve<T>(value: PerRequest<T>, message: JsonRpcRequest | JsonRpcNotification): T {
  return typeof value === "function" ? (value as (m: JsonRpcRequest | JsonRpcNotification) => T)(message) : value;
}

/** The id a response can carry: a string or number id, else null (a notification, or an invalid id). */
function idOf(message: JsonRpcRequest | JsonRpcNotification): JsonRpcId | null {
  const id = (message as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function errorResponse(id: JsonRpcId | null, code: number, message: string, data: unknown): JsonRpcErrorResponse {
  return { jsonrpc: "2.0", id, error: { code, message, data } };
}

/** Creates the guard of one MCP server. */
export function createMcpGuard(options: McpGuardOptions): McpGuard {
  const { client, server } = options;

  function decideRequest(message: JsonRpcRequest | JsonRpcNotification, session: string, tool: NonNullable<DecideRequest["tool"]>): DecideRequest {
    return { ...common(message, session, "tool_call"), tool };
  }

  function common(message: JsonRpcRequest | JsonRpcNotification, session: string, event: DecideRequest["event"]): DecideRequest {
    const purpose = options.purpose === undefined ? undefined : resolve(options.purpose, message);
    const context = options.context === undefined ? undefined : resolve(options.context, message);
    return {
      session: { id: session },
      event,
      identity: resolve(options.identity, message),
      ...(purpose === undefined ? {} : { purpose }),
      ...(context === undefined ? {} : { context }),
    };
  }

  /** The decision request of a judged result: who asked, what for, and the result's texts as turns. */
  function resultRequest(request: JsonRpcRequest, method: keyof typeof JUDGED_RESULTS, messages: { role: "system" | "user" | "assistant" | "tool"; content: string }[]): DecideRequest {
    const base = common(request, resolve(options.session, request), JUDGED_RESULTS[method]);
    const params = request.params ?? {};
    const data = messages.length > 0 ? { data: { messages } } : {};
    if (method === "tools/call") return { ...base, tool: { server, name: String(params.name) }, ...data };
    if (method === "resources/read") {
      const uri = String(params.uri ?? "");
      return { ...base, action: "read", resource: options.resource ? options.resource(uri, request) : { id: uri, type: "document" }, ...data };
    }
    return { ...base, ...data };
  }

  return {
    async checkCall(message) {
      if (message.method !== "tools/call") return { allowed: true, request: message };
      const id = idOf(message);
      const params = message.params ?? {};
      const name = params.name;
      const args = params.arguments;
      if (typeof name !== "string" || (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args)))) {
        return { allowed: false, response: errorResponse(id, -32602, "invalid tools/call params", null) };
      }
      const tool = { server, name, ...(args === undefined ? {} : { arguments: args as Record<string, unknown> }) };
      let decision: ClientDecision;
      try {
        decision = await client.decide(decideRequest(message, resolve(options.session, message), tool));
      } catch (err) {
        const e = err instanceof CustosClientError ? { code: err.code, message: err.message, errors: err.errors } : { code: "internal_error", message: String(err) };
        return { allowed: false, response: errorResponse(id, MCP_UNAVAILABLE, "Custos could not judge this tool call; it was not made", e) };
      }
      const data = { decision: decision.decision, decision_id: decision.decision_id, reasons: decision.reasons, obligations: decision.obligations };
      if (decision.decision === "allow") {
        const redact = decision.obligations.find((o): o is Extract<Obligation, { type: "redact" }> => o.type === "redact" && !!o.arguments);
        const request = redact ? { ...message, params: { ...params, arguments: redact.arguments } } : message;
        return { allowed: true, request, decision };
      }
      if (decision.failed) {
        return { allowed: false, decision, response: errorResponse(id, MCP_UNAVAILABLE, "Custos is unavailable; the tool call was not made (fail closed)", { ...data, failed: decision.failed }) };
      }
      const codes = decision.reasons.map((r) => r.code).join(", ");
      const what = decision.decision === "escalate" ? "held for approval" : "denied";
      return { allowed: false, decision, response: errorResponse(id, MCP_DENIED, `tool call ${what} by policy: ${codes}`, data) };
    },

    async checkResult(request, response) {
      const method = request.method;
      if (!Object.hasOwn(JUDGED_RESULTS, method) || !("result" in response)) return response;
      const judged = method as keyof typeof JUDGED_RESULTS;
      const what = judged === "tools/call" ? "tool result" : judged === "resources/read" ? "resource" : "prompt";
      const id = idOf(request);
      const content = resultContent(judged, response.result);
      let decision: ClientDecision;
      try {
        decision = await client.decide(resultRequest(request, judged, content.messages));
      } catch (err) {
        const e = err instanceof CustosClientError ? { code: err.code, message: err.message, errors: err.errors } : { code: "internal_error", message: String(err) };
        return errorResponse(id, MCP_UNAVAILABLE, `Custos could not judge this ${what}; it was withheld`, e);
      }
      const data = { decision: decision.decision, decision_id: decision.decision_id, reasons: decision.reasons, obligations: decision.obligations };
      if (decision.decision === "allow") {
        const redact = decision.obligations.find((o): o is Extract<Obligation, { type: "redact" }> => o.type === "redact" && !!o.messages);
        return redact?.messages ? { ...response, result: content.rewrite(redact.messages) } : response;
      }
      if (decision.failed) {
        return errorResponse(id, MCP_UNAVAILABLE, `Custos is unavailable; the ${what} was withheld (fail closed)`, { ...data, failed: decision.failed });
      }
      const codes = decision.reasons.map((r) => r.code).join(", ");
      const outcome = decision.decision === "escalate" ? "held for approval" : "denied";
      return errorResponse(id, MCP_DENIED, `${what} ${outcome} by policy: ${codes}`, data);
    },

    async filterList(result, request) {
      const message: JsonRpcRequest = request ?? { jsonrpc: "2.0", id: 0, method: "tools/list" };
      const session = options.probeSession === undefined ? `${resolve(options.session, message)}:tools-list` : resolve(options.probeSession, message);
      const keep = await Promise.all(
        result.tools.map(async (t) => {
          try {
            const d = await client.decide(decideRequest(message, session, { server, name: t.name }));
            if (d.failed) return false;
            return !(d.decision === "deny" && d.reasons.some((r) => r.code === "TOOL_NOT_ALLOWED"));
          } catch {
            return false;
          }
        }),
      );
      return { ...result, tools: result.tools.filter((_, i) => keep[i]) };
    },
  };
}
