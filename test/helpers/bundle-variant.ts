// Writes variants of the committed bundle (another revision, patched data) for reload tests, with a minimal ustar
// writer: the same policy.wasm, so only the revision and data differ.
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { parseBundle } from "../../src/policy/bundle-reader.js";

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100, 8, "ascii");
  h.write("0000000\0", 108, 8, "ascii");
  h.write("0000000\0", 116, 8, "ascii");
  h.write(size.toString(8).padStart(11, "0") + "\0", 124, 12, "ascii");
  h.write("00000000000\0", 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii");
  h.write("0", 156, 1, "ascii");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

/** A .tar.gz of the given files. */
export function tarGz(files: Map<string, Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of files) {
    parts.push(header(`/${name}`, body.length), Buffer.from(body), Buffer.alloc((512 - (body.length % 512)) % 512, 0));
  }
  parts.push(Buffer.alloc(1024, 0));
  return gzipSync(Buffer.concat(parts));
}

/** Writes to `out` the bundle `source` with a new revision and `patch(data)` applied to its data.json. */
export function writeBundleVariant(
  source: Uint8Array,
  out: string,
  revision: string,
  patch: (data: Record<string, any>) => void = () => {},
): void {
  const bundle = parseBundle(source);
  const data = structuredClone(bundle.data) as Record<string, any>;
  patch(data);
  const files = new Map(bundle.files);
  files.set(".manifest", Buffer.from(JSON.stringify({ ...bundle.manifest, revision })));
  files.set("data.json", Buffer.from(JSON.stringify(data)));
  writeFileSync(out, tarGz(files));
}
