// What an MCP server answers, as content Custos can judge: the text blocks of a `tools/call` result, the text
// contents of a `resources/read` result and the messages of a `prompts/get` result become conversation turns
// (`data.messages`), and a redaction of those turns is written back into the result the client sees.
import type { MessageRole } from "../decision/vocabulary.js";

/** One turn Custos inspects, and where in the result it came from. */
interface Piece {
  role: MessageRole;
  content: string;
  /** Writes a redacted content back into a copy of the result. */
  put(result: Record<string, unknown>, text: string): void;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/** The text of a content block (`text`, or an embedded resource's `text`), and how to replace it. */
function blockText(block: unknown): { text: string; with: (text: string) => Json } | null {
  if (!isObject(block)) return null;
  if (block.type === "text" && typeof block.text === "string") return { text: block.text, with: (text) => ({ ...block, text }) };
  const res = block.resource;
  if (block.type === "resource" && isObject(res) && typeof res.text === "string") {
    return { text: res.text, with: (text) => ({ ...block, resource: { ...res, text } }) };
  }
  return null;
}

function pieces(method: string, result: Json): Piece[] {
  const out: Piece[] = [];
  const blocks = (key: string, role: MessageRole, list: unknown) => {
    if (!Array.isArray(list)) return;
    list.forEach((item, i) => {
      const t = blockText(item);
      if (!t) return;
      out.push({
        role,
        content: t.text,
        put(r, text) {
          const arr = [...(r[key] as unknown[])];
          arr[i] = t.with(text);
          r[key] = arr;
        },
      });
    });
  };
  if (method === "tools/call") {
    blocks("content", "tool", result.content);
    if (result.structuredContent !== undefined) {
      // Structured output is judged as its JSON; redacting it would break its schema, so a redaction drops it and
      // the client keeps the (redacted) text blocks, which the specification says carry the same result.
      out.push({ role: "tool", content: JSON.stringify(result.structuredContent), put: (r) => void delete r.structuredContent });
    }
  } else if (method === "resources/read") {
    const contents = result.contents;
    if (Array.isArray(contents)) {
      contents.forEach((c, i) => {
        if (!isObject(c) || typeof c.text !== "string") return;
        out.push({
          role: "tool",
          content: c.text,
          put(r, text) {
            const arr = [...(r.contents as unknown[])];
            arr[i] = { ...c, text };
            r.contents = arr;
          },
        });
      });
    }
  } else if (method === "prompts/get") {
    const messages = result.messages;
    if (Array.isArray(messages)) {
      messages.forEach((m, i) => {
        if (!isObject(m)) return;
        const t = blockText(m.content);
        if (!t) return;
        out.push({
          role: m.role === "assistant" ? "assistant" : "user",
          content: t.text,
          put(r, text) {
            const arr = [...(r.messages as unknown[])];
            arr[i] = { ...m, content: t.with(text) };
            r.messages = arr;
          },
        });
      });
    }
    if (typeof result.description === "string") {
      out.push({ role: "system", content: result.description, put: (r, text) => void (r.description = text) });
    }
  }
  return out;
}

/** The turns of a result, and a function that writes redacted turns (same order) back into a copy of it. */
export function resultContent(method: string, result: unknown): {
  messages: { role: MessageRole; content: string }[];
  rewrite: (redacted: { content: string }[]) => Json;
} {
  const r = isObject(result) ? result : {};
  const found = pieces(method, r);
  return {
    messages: found.map((p) => ({ role: p.role, content: p.content })),
    rewrite(redacted) {
      const copy: Json = { ...r };
      found.forEach((p, i) => {
        const text = redacted[i]?.content;
        if (typeof text === "string" && text !== p.content) p.put(copy, text);
      });
      return copy;
    },
  };
}
