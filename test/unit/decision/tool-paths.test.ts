// Tool argument strings are decoded and normalized before policy globs see them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { extractToolPaths, isPathKey, looksLikePath, MAX_PATH_DEPTH, MAX_PATH_STRINGS, normalizePath } from "../../../src/decision/tool-paths.js";

test("normalizePath resolves dot segments inside the root", () => {
  assert.deepEqual(normalizePath("src/../.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("./src//app.ts"), { normalized: "src/app.ts", escapes: false });
  assert.deepEqual(normalizePath("docs/a/../b/./c.md"), { normalized: "docs/b/c.md", escapes: false });
  assert.deepEqual(normalizePath("src\\..\\secrets.txt"), { normalized: "secrets.txt", escapes: false });
});

test("normalizePath percent-decodes until stable", () => {
  assert.deepEqual(normalizePath("src/%2e%2e/.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("src/..%2f.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("src/%252e%252e/.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("src%5c..%5c.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("src/%E2%82%AC.ts"), { normalized: "src/€.ts", escapes: false });
  assert.deepEqual(normalizePath("src/%c0%ae%c0%ae/x"), { normalized: "src/%c0%ae%c0%ae/x", escapes: false });
  // Five layers of encoding do not settle within the bound: never a match.
  let deep = "..";
  for (let i = 0; i < 5; i++) deep = encodeURIComponent(deep).replaceAll(".", "%2e");
  assert.equal(normalizePath(`src/${deep}/.env`).escapes, true);
});

test("normalizePath reads file: URIs as paths and refuses other schemes and hosts", () => {
  assert.deepEqual(normalizePath("file:///etc/passwd"), { normalized: "/etc/passwd", escapes: true });
  assert.deepEqual(normalizePath("file:src/app.ts"), { normalized: "src/app.ts", escapes: false });
  assert.deepEqual(normalizePath("FILE://localhost/src/a"), { normalized: "/src/a", escapes: true });
  assert.equal(normalizePath("file://evil.example/src/a").escapes, true);
  assert.equal(normalizePath("https://example.com/src/a").escapes, true);
  assert.equal(normalizePath("file:src/%2e%2e/%2e%2e/x").escapes, true);
});

test("normalizePath marks absolute, escaping and control-character paths", () => {
  for (const p of ["/etc/passwd", "~/.ssh/id_rsa", "C:/Windows/x", "C:\\Windows\\x", "\\\\server\\share", "../outside", "src/../../x", "a\0b", "src/a%00.png", "src/a\nb"]) {
    assert.equal(normalizePath(p).escapes, true, JSON.stringify(p));
  }
});

test("isPathKey recognises path-like argument names and not look-alikes", () => {
  for (const k of ["path", "paths", "file", "filename", "file_path", "filePath", "targetDir", "output_file", "directory", "cwd", "uri", "url", "target", "source", "dest", "destination", "repo_url", "fileUri"]) {
    assert.equal(isPathKey(k), true, k);
  }
  for (const k of ["profile", "query", "content", "mode", "name", "ref"]) assert.equal(isPathKey(k), false, k);
});

test("looksLikePath tells paths from words", () => {
  for (const v of ["a/b", "a\\b", ".env", "~/x", "C:x", "file:x", "%2e%2e%2fx", "a\0b"]) assert.equal(looksLikePath(v), true, JSON.stringify(v));
  for (const v of ["main", "hello world", "README.md", "v1.2"]) assert.equal(looksLikePath(v), false, v);
});

test("extractToolPaths lists every string at any depth with its names", () => {
  const paths = extractToolPaths({ path: "src/../.env", paths: ["a/b", "/abs"], options: { target_dir: "../x" }, query: "x" });
  assert.deepEqual(paths, [
    { key: "path", names: ["path"], normalized: ".env", escapes: false, path_key: true, path_like: true },
    { key: "paths.0", names: ["paths"], normalized: "a/b", escapes: false, path_key: true, path_like: true },
    { key: "paths.1", names: ["paths"], normalized: "/abs", escapes: true, path_key: true, path_like: true },
    { key: "options.target_dir", names: ["options", "target_dir"], normalized: "x", escapes: true, path_key: true, path_like: true },
    { key: "query", names: ["query"], normalized: "x", escapes: false, path_key: false, path_like: false },
  ]);
  let nested: unknown = { path: "../.env" };
  for (let i = 0; i < 12; i++) nested = { n: nested };
  const deep = extractToolPaths({ nested });
  assert.equal(deep.length, 1);
  assert.equal(deep[0]!.escapes, true);
  assert.equal(deep[0]!.path_key, true);
});

test("extractToolPaths fails closed beyond its bounds", () => {
  let nested: unknown = "x";
  for (let i = 0; i < MAX_PATH_DEPTH + 5; i++) nested = { n: nested };
  assert.equal(extractToolPaths({ nested }).at(-1)?.overflow, true);
  const many = Object.fromEntries(Array.from({ length: MAX_PATH_STRINGS + 1 }, (_, i) => [`k${i}`, "v"]));
  const out = extractToolPaths(many);
  assert.equal(out.length, MAX_PATH_STRINGS + 1);
  assert.equal(out.at(-1)?.overflow, true);
  assert.equal(extractToolPaths({ a: "v" }).some((p) => p.overflow), false);
});
