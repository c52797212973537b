/**
 * How a pruned layer's rows are cut for lowering: rows grouped by the input features they still read (small
 * groups merged), and groups of equal height batched when their feature counts are close enough to pad.
 */

export interface RowGroup {
  rows: number[];
  cols: number[];
}

/** Group rows by their needed input channels (features), merging small groups in pattern order. */
export function rowGroups(w: Float32Array, rows: number, cols: number, taps: number, minRows: number): RowGroup[] {
  const ch = cols / taps;
  const keys = new Map<string, number[]>();
  const needs: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const need = new Uint8Array(ch);
    for (let c = 0; c < cols; c++) if (w[r * cols + c] !== 0) need[(c / taps) | 0] = 1;
    needs.push(need);
    const k = need.join('');
    const list = keys.get(k);
    if (list) list.push(r);
    else keys.set(k, [r]);
  }
  const groups = [...keys.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([, rs]) => rs);
  const merged: number[][] = [];
  for (const rs of groups) {
    const last = merged[merged.length - 1];
    if (last && last.length < minRows) last.push(...rs);
    else merged.push([...rs]);
  }
  if (merged.length > 1 && merged[merged.length - 1]!.length < minRows)
    merged[merged.length - 2]!.push(...merged.pop()!);
  return merged.map((rs) => {
    rs.sort((a, b) => a - b);
    const need = new Uint8Array(ch);
    for (const r of rs) for (let c = 0; c < ch; c++) need[c] |= needs[r]![c]!;
    const cs: number[] = [];
    for (let c = 0; c < ch; c++) if (need[c]) cs.push(c);
    return { rows: rs, cols: cs.length ? cs : [0] };
  });
}

/**
 * Split row groups into batches of equal height whose feature counts are within 15 % of the batch's
 * longest, so padding wastes little work (≤ 15 %). Groups are ordered by feature count; the caller's final
 * Gather puts the rows back in their original order.
 */
export function batchGroups(groups: RowGroup[]): RowGroup[][] {
  const byHeight = new Map<number, RowGroup[]>();
  for (const gr of groups) {
    const list = byHeight.get(gr.rows.length);
    if (list) list.push(gr);
    else byHeight.set(gr.rows.length, [gr]);
  }
  const out: RowGroup[][] = [];
  for (const list of byHeight.values()) {
    const sorted = [...list].sort((a, b) => b.cols.length - a.cols.length);
    let cur: RowGroup[] = [];
    for (const gr of sorted) {
      if (cur.length && gr.cols.length < 0.85 * cur[0]!.cols.length) {
        out.push(cur);
        cur = [];
      }
      cur.push(gr);
    }
    if (cur.length) out.push(cur);
  }
  return out;
}
