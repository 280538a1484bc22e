// Deep-merges an operator's data overlay (CUSTOS_DATA) over the bundle's data, without prototype pollution.

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Returns `base` with `overlay` merged in: objects merge key by key, arrays and scalars replace, and a `null`
 * in the overlay removes the key (so an operator can withdraw a principal). Neither argument is modified.
 * Keys `__proto__`, `constructor` and `prototype` are ignored.
 */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isObject(base) || !isObject(overlay)) return structuredClone(overlay);
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(base)) if (!FORBIDDEN.has(k)) out[k] = v;
  for (const [k, v] of Object.entries(overlay)) {
    if (FORBIDDEN.has(k)) continue;
    if (v === null) delete out[k];
    else out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  }
  return { ...out };
}

/**
 * Applies a CUSTOS_DATA overlay to bundle data. The overlay has the shape of `data.governance`
 * (`principals`, `resources`, `settings`); an overlay with a top-level `governance` key is merged at the data root.
 */
export function applyOverlay(data: Record<string, unknown>, overlay: Record<string, unknown> | null): Record<string, unknown> {
  if (!overlay) return data;
  if ("governance" in overlay) return deepMerge(data, overlay) as Record<string, unknown>;
  return deepMerge(data, { governance: overlay }) as Record<string, unknown>;
}
