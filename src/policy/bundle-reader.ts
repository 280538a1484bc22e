// Reads an OPA bundle (.tar.gz from `opa build -t wasm`): the compiled policy.wasm, data.json and .manifest.
// opa-wasm does not read bundles itself, so this untars in memory (ustar + PAX path headers, which is what Go's
// archive/tar writes).
import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { CustosError } from "../errors.js";

/** The parts of a bundle the engine needs. */
export interface BundleContents {
  wasm: Uint8Array;
  data: Record<string, unknown>;
  manifest: { revision: string; roots?: string[]; [k: string]: unknown };
  /** Every file in the archive by normalized path (e.g. `policy.wasm`, `governance/data.json`). */
  files: Map<string, Uint8Array>;
}

const BLOCK = 512;

function field(buf: Uint8Array, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return Buffer.from(nul === -1 ? slice : slice.subarray(0, nul)).toString("utf8");
}

function normalize(name: string): string {
  return name.replace(/^\.?\/+/, "");
}

/** Lists the regular files of an uncompressed tar archive. */
export function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let off = 0;
  let paxPath: string | null = null;
  while (off + BLOCK <= tar.length) {
    const header = tar.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) break;
    const sizeText = field(header, 124, 12).trim();
    const size = parseInt(sizeText || "0", 8);
    if (!Number.isFinite(size) || size < 0) throw new Error(`bad tar entry size at offset ${off}`);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = field(header, 345, 155);
    let name = field(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const bodyStart = off + BLOCK;
    const body = tar.subarray(bodyStart, bodyStart + size);
    if (body.length < size) throw new Error("tar archive is truncated");
    if (type === "x") {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(body).toString("utf8"));
      paxPath = m?.[1] ?? null;
    } else {
      if ((type === "0" || type === "\0") && !name.endsWith("/")) files.set(normalize(paxPath ?? name), body);
      paxPath = null;
    }
    off = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

/** Parses a bundle archive (gzip-compressed tar). @throws CustosError `bundle_invalid` */
export function parseBundle(archive: Uint8Array): BundleContents {
  let files: Map<string, Uint8Array>;
  try {
    files = untar(gunzipSync(archive));
  } catch (err) {
    throw new CustosError("bundle_invalid", `bundle is not a readable .tar.gz: ${(err as Error).message}`, { cause: err });
  }
  const wasm = files.get("policy.wasm");
  if (!wasm) throw new CustosError("bundle_invalid", "bundle has no policy.wasm (build it with `opa build -t wasm`)");
  const json = (name: string, fallback: unknown): unknown => {
    const bytes = files.get(name);
    if (!bytes) return fallback;
    try {
      return JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch (err) {
      throw new CustosError("bundle_invalid", `bundle file ${name} is not valid JSON`, { cause: err });
    }
  };
  const data = json("data.json", {});
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new CustosError("bundle_invalid", "bundle data.json must be an object");
  const manifest = json(".manifest", {}) as BundleContents["manifest"];
  if (typeof manifest.revision !== "string" || manifest.revision === "") {
    throw new CustosError("bundle_invalid", "bundle .manifest has no revision (build with `--revision`)");
  }
  return { wasm, data: data as Record<string, unknown>, manifest, files };
}

/** Reads and parses the bundle at `path`. @throws CustosError `bundle_invalid` */
export async function readBundle(path: string): Promise<BundleContents> {
  let archive: Buffer;
  try {
    archive = await readFile(path);
  } catch (err) {
    throw new CustosError("bundle_invalid", `cannot read bundle ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { cause: err });
  }
  return parseBundle(archive);
}
