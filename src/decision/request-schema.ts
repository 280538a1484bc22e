// The JSON Schema of `POST /decide`: the contract's required fields, enums, formats and bounds. Unknown fields are
// accepted (forward compatibility) and dropped by the validator before anything reads the request.
import { EVENT_TYPES, MESSAGE_ROLES, PRINCIPAL_TYPES } from "./vocabulary.js";

const id = { type: "string", minLength: 1, maxLength: 256 } as const;
const scope = { type: "string", minLength: 1, maxLength: 128 } as const;
const scopes = { type: "array", maxItems: 64, items: scope } as const;
const principalType = { enum: PRINCIPAL_TYPES } as const;
const timestamp = { type: "string", format: "date-time", maxLength: 64 } as const;

/** Longest `identity.credential.token` accepted, in characters (the verifier's bound). */
export const MAX_TOKEN_LENGTH = 16384;

/** Largest `data.text` accepted, in characters. */
export const MAX_TEXT_LENGTH = 512 * 1024;
/** Most conversation turns in `data.messages`. */
export const MAX_MESSAGES = 256;
/** Largest sum of the `content` lengths of `data.messages`, in characters (each content is bounded by it too). */
export const MAX_MESSAGES_LENGTH = MAX_TEXT_LENGTH;

export const decideRequestSchema = {
  $id: "https://custos.dev/schemas/decide-request.json",
  type: "object",
  required: ["session", "event", "identity"],
  properties: {
    session: { type: "object", required: ["id"], properties: { id, parent_id: id } },
    event: { enum: EVENT_TYPES },
    identity: {
      type: "object",
      required: ["id", "type"],
      properties: {
        id,
        type: principalType,
        scopes,
        credential: {
          type: "object",
          properties: {
            id,
            type: { enum: ["api_key", "oauth_token", "jwt", "mtls_cert", "workload_identity"] },
            issued_at: timestamp,
            expires_at: timestamp,
            // A compact JWS Custos verifies (CUSTOS_ISSUERS_FILE); never recorded, only its digest.
            token: { type: "string", minLength: 1, maxLength: MAX_TOKEN_LENGTH },
          },
        },
        on_behalf_of: {
          type: "array",
          maxItems: 16,
          items: { type: "object", required: ["id", "type"], properties: { id, type: principalType, scopes } },
        },
      },
    },
    action: { enum: ["read", "write", "delete", "execute", "invoke", "deploy", "train", "export"] },
    resource: {
      type: "object",
      properties: { id, type: { enum: ["model", "dataset", "repository", "document", "tool", "endpoint"] } },
    },
    tool: {
      type: "object",
      required: ["server", "name"],
      properties: {
        server: { type: "string", minLength: 1, maxLength: 128 },
        name: { type: "string", minLength: 1, maxLength: 128 },
        arguments: { type: "object", maxProperties: 64 },
      },
    },
    data: {
      type: "object",
      properties: {
        classification: { enum: ["public", "internal", "confidential", "restricted"] },
        labels: { type: "array", maxItems: 32, items: { type: "string", minLength: 1, maxLength: 64 } },
        text: { type: "string", maxLength: MAX_TEXT_LENGTH },
        messages: {
          type: "array",
          maxItems: MAX_MESSAGES,
          items: {
            type: "object",
            required: ["role", "content"],
            properties: { role: { enum: MESSAGE_ROLES }, content: { type: "string", maxLength: MAX_MESSAGES_LENGTH } },
          },
        },
        destination: { enum: ["internal", "external"] },
      },
    },
    purpose: { type: "string", minLength: 1, maxLength: 128 },
    context: {
      type: "object",
      properties: {
        mtls: { type: "boolean" },
        device: { type: "object", properties: { managed: { type: "boolean" }, compliant: { type: "boolean" } } },
        network: { enum: ["corporate", "vpn", "public"] },
        approval_id: id,
        time: timestamp,
      },
    },
  },
} as const;
