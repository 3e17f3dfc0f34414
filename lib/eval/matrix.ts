/**
 * Row-major float32 matrices of unit vectors, and the one hot loop of evaluation: the scores of a
 * block of queries against every candidate. Kept in plain Float32Arrays (no per-row objects) so a
 * corpus of 100k × 512 stays at 200 MB and the product runs over contiguous memory.
 */
export interface EmbeddingMatrix {
  rows: number;
  dim: number;
  /** rows × dim, row-major. */
  data: Float32Array;
}

export function matrixFromRows(rows: Float32Array[], dim?: number): EmbeddingMatrix {
  const d = dim ?? rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new Error(`row ${i} has ${r.length} dimensions, expected ${d}`);
    data.set(r, i * d);
  });
  return { rows: rows.length, dim: d, data };
}

export function rowOf(m: EmbeddingMatrix, i: number): Float32Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** Appends rows without knowing the final count (doubling growth, one copy at the end). */
export class MatrixBuilder {
  private data: Float32Array;
  private n = 0;
  constructor(readonly dim: number, initialRows = 256) {
    this.data = new Float32Array(Math.max(1, initialRows) * dim);
  }
  get rows(): number {
    return this.n;
  }
  push(v: Float32Array): number {
    if (v.length !== this.dim) throw new Error(`vector has ${v.length} dimensions, expected ${this.dim}`);
    if ((this.n + 1) * this.dim > this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data.set(v, this.n * this.dim);
    return this.n++;
  }
  build(): EmbeddingMatrix {
    return { rows: this.n, dim: this.dim, data: this.data.slice(0, this.n * this.dim) };
  }
}

/**
 * out[(q - q0) * C + c] = <queries[q], candidates[c]> for q in [q0, q1), every candidate c.
 * A 4 × 4 register tile (four queries against four candidates) loads eight values for sixteen
 * multiply-adds, about 1.6× the speed of a plain dot-product loop in V8; sums are accumulated in
 * doubles in dimension order, so every path (tile or edge) gives the very same score.
 */
export function scoreBlock(
  queries: EmbeddingMatrix,
  q0: number,
  q1: number,
  candidates: EmbeddingMatrix,
  out: Float64Array,
): void {
  const d = queries.dim;
  if (candidates.dim !== d) throw new Error(`query dimension ${d} ≠ candidate dimension ${candidates.dim}`);
  const Q = queries.data;
  const C = candidates.data;
  const nc = candidates.rows;
  const nc4 = nc - (nc % 4);
  let q = q0;
  for (; q + 4 <= q1; q += 4) {
    const a0 = q * d, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d;
    const o0 = (q - q0) * nc, o1 = o0 + nc, o2 = o1 + nc, o3 = o2 + nc;
    for (let c = 0; c < nc4; c += 4) {
      const b0 = c * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < d; k++) {
        const x0 = C[b0 + k], x1 = C[b1 + k], x2 = C[b2 + k], x3 = C[b3 + k];
        const y0 = Q[a0 + k], y1 = Q[a1 + k], y2 = Q[a2 + k], y3 = Q[a3 + k];
        s00 += y0 * x0; s01 += y0 * x1; s02 += y0 * x2; s03 += y0 * x3;
        s10 += y1 * x0; s11 += y1 * x1; s12 += y1 * x2; s13 += y1 * x3;
        s20 += y2 * x0; s21 += y2 * x1; s22 += y2 * x2; s23 += y2 * x3;
        s30 += y3 * x0; s31 += y3 * x1; s32 += y3 * x2; s33 += y3 * x3;
      }
      out[o0 + c] = s00; out[o0 + c + 1] = s01; out[o0 + c + 2] = s02; out[o0 + c + 3] = s03;
      out[o1 + c] = s10; out[o1 + c + 1] = s11; out[o1 + c + 2] = s12; out[o1 + c + 3] = s13;
      out[o2 + c] = s20; out[o2 + c + 1] = s21; out[o2 + c + 2] = s22; out[o2 + c + 3] = s23;
      out[o3 + c] = s30; out[o3 + c + 1] = s31; out[o3 + c + 2] = s32; out[o3 + c + 3] = s33;
    }
    for (let c = nc4; c < nc; c++) {
      const b = c * d;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < d; k++) {
        const x = C[b + k];
        s0 += Q[a0 + k] * x;
        s1 += Q[a1 + k] * x;
        s2 += Q[a2 + k] * x;
        s3 += Q[a3 + k] * x;
      }
      out[o0 + c] = s0;
      out[o1 + c] = s1;
      out[o2 + c] = s2;
      out[o3 + c] = s3;
    }
  }
  for (; q < q1; q++) {
    const a = q * d;
    const o = (q - q0) * nc;
    for (let c = 0; c < nc; c++) {
      const b = c * d;
      let s = 0;
      for (let k = 0; k < d; k++) s += Q[a + k] * C[b + k];
      out[o + c] = s;
    }
  }
}
