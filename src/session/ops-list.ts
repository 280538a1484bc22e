// One page of an operations index, for both stores: walk the index newest first from the cursor, load what it points
// to, keep what the filter keeps, and stop at the page's limit or at the scan budget (bounded work per request; a
// short page still carries a cursor when the index goes on). The cursor is the last examined position, so entries
// inserted later (newer, so before it) never move a page.
import { MAX_SCAN_PER_PAGE, decodeCursor, encodeCursor, type Page, type PageQuery } from "../decision/operations.js";

/** An index position: (score, member). */
export type IndexEntry = [number, string];

/**
 * @param entries up to `n` entries strictly after `after` (newest first), fewer only at the end of the index
 * @param load the item of each entry (null when it expired or vanished)
 */
export async function listPage<T>(
  page: PageQuery,
  entries: (after: IndexEntry | null, n: number) => Promise<IndexEntry[]>,
  load: (entries: IndexEntry[]) => Promise<(T | null)[]>,
  keep: (item: T) => boolean,
): Promise<Page<T>> {
  const items: T[] = [];
  // The admin route refuses a cursor it cannot read (400 naming `cursor`) before it gets here.
  let pos: IndexEntry | null = page.cursor ? decodeCursor(page.cursor) : null;
  let scanned = 0;
  for (;;) {
    const want = Math.min(Math.max(page.limit * 2, 50), MAX_SCAN_PER_PAGE - scanned);
    const batch = await entries(pos, want);
    const loaded = await load(batch);
    for (let i = 0; i < batch.length; i++) {
      pos = batch[i]!;
      scanned += 1;
      const item = loaded[i];
      if (item !== null && item !== undefined && keep(item)) items.push(item);
      if (items.length === page.limit) {
        const end = i === batch.length - 1 && batch.length < want;
        return { items, next_cursor: end ? null : encodeCursor(pos[0], pos[1]) };
      }
    }
    if (batch.length < want) return { items, next_cursor: null };
    if (scanned >= MAX_SCAN_PER_PAGE) return { items, next_cursor: pos ? encodeCursor(pos[0], pos[1]) : null };
  }
}
