// Every string argument of a tool call, decoded and normalized as a path, so the policy's globs see what the tool
// would touch: `src/%2e%2e/.env` and `src\..\.env` are `.env`, `file:///etc/passwd` is `/etc/passwd`. Absolute paths,
// `..` climbing above the root, other URI schemes, control characters and encodings that do not settle are marked as
// escaping. The policy chooses which strings are paths (the tool's registered `path_args`, or else path-like names
// and values), so the walk lists them all, at every depth, with the facts it needs to choose.

/** One string argument, as the policy reads it in `facts.tool_paths`. */
export interface ToolPath {
  /** Dotted location inside `tool.arguments`, e.g. `path` or `files.1`. */
  key: string;
  /** The object keys on the way to the string, outermost first (`files.1` → `["files"]`). */
  names: string[];
  normalized: string;
  escapes: boolean;
  /** The string sits under an argument name that holds paths (`path`, `file_path`, `url`, `target`, …). */
  path_key: boolean;
  /** The value itself looks like a path (a separator, a leading `.` or `~`, a drive, a scheme, a control character). */
  path_like: boolean;
  /** Present (and true) on the one entry that stands for arguments beyond the walk's bounds. */
  overflow?: boolean;
}

/** Rounds of percent-decoding before a value that still changes is refused (escapes). */
const MAX_DECODE_ROUNDS = 4;
/** Bounds of the walk: nesting depth and number of strings. Beyond them one `overflow` entry fails the call closed. */
export const MAX_PATH_DEPTH = 32;
export const MAX_PATH_STRINGS = 512;

const EXACT = new Set([
  "path", "paths", "file", "files", "filename", "filenames", "filepath", "filepaths", "dir", "dirs", "directory",
  "directories", "folder", "folders", "cwd", "root", "uri", "uris", "url", "urls", "target", "targets", "source",
  "sources", "src", "dest", "dst", "destination", "destinations", "location", "locations",
]);

/** True for argument names that hold file system paths or locations (`path`, `file_path`, `targetDir`, `uri`, …). */
export function isPathKey(key: string): boolean {
  const flat = key.replace(/[-_]/g, "").toLowerCase();
  if (EXACT.has(flat)) return true;
  return (
    /(?:[-_](?:path|file|dir|directory|folder|uri|url)s?|[a-z0-9](?:Path|File|Dir|Directory|Folder|Uri|URI|Url|URL)s?|filename|filepath)$/.test(key) ||
    /(path|paths)$/.test(flat)
  );
}

const PERCENT = /%[0-9A-Fa-f]{2}/;

/** One round of percent-decoding; a malformed UTF-8 sequence keeps its bytes encoded but ASCII escapes still decode. */
function decodeOnce(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%([0-7][0-9A-Fa-f])/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** Percent-decodes until the value no longer changes; `settled` is false when it still changed after the bound. */
function decodeStable(raw: string): { text: string; settled: boolean } {
  let text = raw;
  for (let i = 0; i < MAX_DECODE_ROUNDS; i++) {
    if (!PERCENT.test(text)) return { text, settled: true };
    const next = decodeOnce(text);
    if (next === text) return { text, settled: true };
    text = next;
  }
  return { text, settled: !PERCENT.test(text) || decodeOnce(text) === text };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

/** True when a value reads as a path or location rather than a word or a sentence. */
export function looksLikePath(raw: string): boolean {
  const { text } = decodeStable(raw);
  return /[/\\]/.test(text) || /^[.~]/.test(text) || /^[A-Za-z]:/.test(text) || SCHEME.test(text) || CONTROL.test(text);
}

/** Decodes and normalizes one path. */
export function normalizePath(raw: string): { normalized: string; escapes: boolean } {
  const decoded = decodeStable(raw);
  let text = decoded.text;
  let foreign = !decoded.settled || CONTROL.test(text);
  const scheme = SCHEME.exec(text);
  if (scheme) {
    if (scheme[1]!.toLowerCase() === "file") {
      // file:relative, file:/abs, file:///abs, file://localhost/abs; any other host is not this machine's disk.
      text = text.slice(scheme[0].length);
      const authority = /^\/\/([^/\\]*)/.exec(text);
      if (authority) {
        if (authority[1] !== "" && authority[1]!.toLowerCase() !== "localhost") foreign = true;
        text = text.slice(authority[0].length) || "/";
      }
    } else {
      foreign = true;
    }
  }
  const unified = text.replace(/\\/g, "/");
  const absolute = /^(?:\/|~|[A-Za-z]:)/.test(unified);
  const stack: string[] = [];
  let climbs = false;
  for (const part of unified.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) climbs = true;
      else stack.pop();
      continue;
    }
    stack.push(part);
  }
  const normalized = (absolute ? "/" : "") + stack.join("/");
  return { normalized: normalized === "" ? "." : normalized, escapes: absolute || climbs || foreign };
}

/**
 * Lists every string inside `args` (arrays and nested objects at any depth up to {@link MAX_PATH_DEPTH}, at most
 * {@link MAX_PATH_STRINGS} strings), each decoded and normalized as a path. A walk that hits either bound adds one
 * entry with `overflow: true` and `escapes: true`, which the policy never lets match (fail closed).
 */
export function extractToolPaths(args: Record<string, unknown> | undefined): ToolPath[] {
  const out: ToolPath[] = [];
  if (!args || typeof args !== "object") return out;
  let overflow = false;
  // Iterative, so no nesting can exhaust the stack; visited in document order.
  const stack: { value: unknown; key: string; names: string[]; depth: number }[] = [{ value: args, key: "", names: [], depth: 0 }];
  while (stack.length > 0) {
    const { value, key, names, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (out.length >= MAX_PATH_STRINGS) {
        overflow = true;
        break;
      }
      out.push({
        key,
        names,
        ...normalizePath(value),
        path_key: names.some(isPathKey),
        path_like: looksLikePath(value),
      });
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_PATH_DEPTH) {
      overflow = true;
      continue;
    }
    const children: { value: unknown; key: string; names: string[]; depth: number }[] = Array.isArray(value)
      ? value.map((v, i) => ({ value: v, key: `${key}.${i}`, names, depth: depth + 1 }))
      : Object.entries(value).map(([k, v]) => ({ value: v, key: key ? `${key}.${k}` : k, names: [...names, k], depth: depth + 1 }));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  if (overflow) out.push({ key: "", names: [], normalized: ".", escapes: true, path_key: true, path_like: true, overflow: true });
  return out;
}
