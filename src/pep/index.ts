// The enforcement-point (PEP) toolkit: the Custos client, the Express guard and MCP enforcement.
export { createCustosClient, CustosClientError, PDP_UNAVAILABLE, unavailableDecision } from "./client.js";
export type { ClientDecision, CustosClient, CustosClientOptions, DecisionFailure } from "./client.js";
export { custosGuard } from "./express-middleware.js";
export type { CustosGuardOptions } from "./express-middleware.js";
export { createMcpGuard, JUDGED_RESULTS, MCP_DENIED, MCP_UNAVAILABLE } from "./mcp.js";
export type {
  CallCheck,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcRequest,
  McpGuard,
  McpGuardOptions,
  PerRequest,
  ToolsListResult,
} from "./mcp.js";
export { guardTransport } from "./mcp-transport.js";
export type { McpTransport } from "./mcp-transport.js";
export type { DecideRequest, DecisionResponse, Decision, Obligation, Reason } from "../decision/request.js";
