// The PEP's HTTP client of `POST /decide`: timeouts, retries on broken connections, and fail-closed decisions.
import { randomUUID } from "node:crypto";
import type { DecideRequest, Decision, DecisionResponse, Reason } from "../decision/request.js";

/**
 * Reason code of a decision the client synthesized because Custos gave none (timeout, unreachable, 5xx without a
 * decision, unreadable answer). Client-side only: Custos never returns it, and it is not in the decision log.
 */
export const PDP_UNAVAILABLE = "PDP_UNAVAILABLE";

/** Options of {@link createCustosClient}. */
export interface CustosClientOptions {
  /** Where Custos listens, e.g. `http://127.0.0.1:8080` (or the mount point of its router); `/decide` is appended. */
  baseUrl: string;
  /** Budget of one `decide()` call in milliseconds, retries included; past it the call fails closed. @default 1000 */
  timeoutMs?: number;
  /**
   * Extra attempts after a connection error (ECONNREFUSED, ECONNRESET, EPIPE, socket hang up). Never after an HTTP
   * answer or a timeout. @default 2
   */
  retries?: number;
  /** When Custos gives no decision, allow (with reason PDP_UNAVAILABLE) instead of deny. @default false */
  failOpen?: boolean;
  /** Headers sent with every request, e.g. `{ authorization: "Bearer …" }`. @default {} */
  headers?: Record<string, string>;
  /** The fetch to use (instrumentation, tests). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Why a decision was not Custos's own judgement: `timeout`, `unreachable`, `bad_response`, or Custos's error code. */
export interface DecisionFailure {
  code: string;
  message: string;
}

/** A decision; `failed` is set when Custos could not judge (a synthesized decision, or a `503` deny). */
export type ClientDecision = DecisionResponse & { failed?: DecisionFailure };

/** A PEP's handle on Custos. */
export interface CustosClient {
  /**
   * Asks for a decision. Resolves with a decision for every outcome except a request Custos cannot judge.
   * @throws CustosClientError on a `4xx` (the request is wrong: a caller bug, not a reason to allow or deny).
   */
  decide(request: DecideRequest): Promise<ClientDecision>;
}

/** A `4xx` from Custos: `code`, `message` and per-field `errors` are Custos's error body. */
export class CustosClientError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: { field: string; message: string }[] | undefined;
  constructor(status: number, code: string, message: string, errors?: { field: string; message: string }[]) {
    super(message);
    this.name = "CustosClientError";
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);
/** Pause before retry `n` (1-based): short, since a refused connection is usually a restart in progress. */
const RETRY_DELAY_MS = 25;

/** True when `err` (or its cause) is a connection that could not be made or broke before an answer. */
function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    if (typeof message === "string" && /socket hang up|other side closed/i.test(message)) return true;
  }
  return false;
}

function isDecisionBody(body: unknown): body is DecisionResponse {
  const b = body as Partial<DecisionResponse> | null;
  return !!b && typeof b === "object" && ["allow", "deny", "escalate"].includes(b.decision as string) && Array.isArray(b.reasons);
}

/** The decision the client gives when Custos gave none. */
export function unavailableDecision(request: DecideRequest, failure: DecisionFailure, failOpen: boolean): ClientDecision {
  const decision: Decision = failOpen ? "allow" : "deny";
  const reason: Reason = {
    code: PDP_UNAVAILABLE,
    message: `Custos gave no decision (${failure.code}); failing ${failOpen ? "open" : "closed"}`,
    severity: "high",
    controls: ["NIST-CSF-PR.IR-03"],
  };
  return {
    decision,
    decision_id: randomUUID(),
    reasons: [reason],
    obligations: [],
    session: { id: request.session.id, risk: 0, violations: 0, terminated: false, max_classification: null },
    policy: { revision: null },
    failed: failure,
  };
}

/** Reads a response body as JSON, or null when it is empty or not JSON. */
async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/** Creates a client of one Custos instance. */
export function createCustosClient(options: CustosClientOptions): CustosClient {
  const url = options.baseUrl.replace(/\/+$/, "") + "/decide";
  const timeoutMs = options.timeoutMs ?? 1000;
  const retries = Math.max(0, options.retries ?? 2);
  const failOpen = options.failOpen ?? false;
  const headers = { "content-type": "application/json", accept: "application/json", ...options.headers };
  const doFetch = options.fetch ?? globalThis.fetch;

  /** Interprets an HTTP answer; throws CustosClientError on a 4xx. */
  async function fromResponse(request: DecideRequest, res: Response): Promise<ClientDecision> {
    const body = await readJson(res);
    if (res.status === 200 && isDecisionBody(body)) return body;
    const { code, message, errors } = (body ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
    const failure: DecisionFailure = {
      code: typeof code === "string" ? code : res.status === 200 ? "bad_response" : `http_${res.status}`,
      message: typeof message === "string" ? message : `Custos answered ${res.status} without a decision`,
    };
    if (res.status >= 400 && res.status < 500) {
      throw new CustosClientError(res.status, failure.code, failure.message, Array.isArray(errors) ? errors : undefined);
    }
    // A 503 deny (e.g. STATE_UNAVAILABLE) is Custos's own fail-closed decision: keep it, whatever failOpen says.
    if (res.status === 503 && isDecisionBody(body)) return { ...body, failed: failure };
    return unavailableDecision(request, failure, failOpen);
  }

  return {
    async decide(request) {
      const signal = AbortSignal.timeout(timeoutMs);
      const body = JSON.stringify(request);
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await doFetch(url, { method: "POST", headers, body, signal });
        } catch (err) {
          if (signal.aborted) {
            return unavailableDecision(request, { code: "timeout", message: `no answer within ${timeoutMs} ms` }, failOpen);
          }
          const connection = isConnectionError(err);
          if (connection && attempt < retries) {
            await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt + 1)));
            if (!signal.aborted) continue;
          }
          const message = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
          return unavailableDecision(request, { code: signal.aborted ? "timeout" : "unreachable", message }, failOpen);
        }
        try {
          return await fromResponse(request, res);
        } catch (err) {
          if (err instanceof CustosClientError) throw err;
          // The body broke off or timed out while being read.
          const code = signal.aborted ? "timeout" : "bad_response";
          return unavailableDecision(request, { code, message: err instanceof Error ? err.message : String(err) }, failOpen);
        }
      }
    },
  };
}
