// Tool argument paths are normalized before policy globs see them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { extractToolPaths, isPathKey, normalizePath } from "../../../src/decision/tool-paths.js";

test("normalizePath resolves dot segments inside the root", () => {
  assert.deepEqual(normalizePath("src/../.env"), { normalized: ".env", escapes: false });
  assert.deepEqual(normalizePath("./src//app.ts"), { normalized: "src/app.ts", escapes: false });
  assert.deepEqual(normalizePath("docs/a/../b/./c.md"), { normalized: "docs/b/c.md", escapes: false });
  assert.deepEqual(normalizePath("src\\..\\secrets.txt"), { normalized: "secrets.txt", escapes: false });
});

test("normalizePath marks absolute and escaping paths", () => {
  for (const p of ["/etc/passwd", "~/.ssh/id_rsa", "C:/Windows/x", "\\\\server\\share", "../outside", "src/../../x", "a\0b"]) {
    assert.equal(normalizePath(p).escapes, true, p);
  }
});

test("isPathKey recognises path-like argument names and not look-alikes", () => {
  for (const k of ["path", "paths", "file", "filename", "file_path", "filePath", "targetDir", "output_file", "directory", "cwd"]) {
    assert.equal(isPathKey(k), true, k);
  }
  for (const k of ["profile", "query", "content", "mode", "name", "url"]) assert.equal(isPathKey(k), false, k);
});

test("extractToolPaths walks arrays and nested objects under path keys", () => {
  const paths = extractToolPaths({ path: "src/../.env", paths: ["a/b", "/abs"], options: { target_dir: "../x" }, query: "x/../y" });
  assert.deepEqual(paths, [
    { key: "path", normalized: ".env", escapes: false },
    { key: "paths.0", normalized: "a/b", escapes: false },
    { key: "paths.1", normalized: "/abs", escapes: true },
    { key: "options.target_dir", normalized: "x", escapes: true },
  ]);
});
