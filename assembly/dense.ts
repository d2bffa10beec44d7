// Dense-layer products with SIMD, shared by the SAC engine (engine.ts) and the tape's kernels (kernels.ts).
// One product kernel serves all three products of a layer: y = x W + b, dW = xᵀ dz (with xᵀ transposed
// first), dx = dz Wᵀ (with Wᵀ transposed first); the kernel reads both operands along contiguous rows.

/** C[m, n] = A[m, k] Bm[k, n] (+ bias[n] if bias ≠ 0; ReLU if `relu`): blocks of 4 rows × 8 columns. */
export function matmul(A: usize, m: i32, k: i32, n: i32, Bm: usize, bias: usize, C: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  const n8 = n & ~7;
  const n4 = n & ~3;
  const rowA = <usize>k << 2;
  const rowB = <usize>n << 2;
  let r = 0;
  for (; r + 4 <= m; r += 4) {
    const a0 = A + <usize>r * rowA;
    const a1 = a0 + rowA;
    const a2 = a1 + rowA;
    const a3 = a2 + rowA;
    const c0 = C + <usize>r * rowB;
    for (let j = 0; j < n8; j += 8) {
      const jb = <usize>j << 2;
      let p0 = bias != 0 ? v128.load(bias + jb) : zero;
      let q0 = bias != 0 ? v128.load(bias + jb + 16) : zero;
      let p1 = p0, q1 = q0, p2 = p0, q2 = q0, p3 = p0, q3 = q0;
      let w = Bm + jb;
      for (let i = 0; i < k; i++) {
        const wp = v128.load(w);
        const wq = v128.load(w, 16);
        const ib = <usize>i << 2;
        const x0 = v128.load32_splat(a0 + ib);
        const x1 = v128.load32_splat(a1 + ib);
        const x2 = v128.load32_splat(a2 + ib);
        const x3 = v128.load32_splat(a3 + ib);
        p0 = f32x4.add(p0, f32x4.mul(x0, wp));
        q0 = f32x4.add(q0, f32x4.mul(x0, wq));
        p1 = f32x4.add(p1, f32x4.mul(x1, wp));
        q1 = f32x4.add(q1, f32x4.mul(x1, wq));
        p2 = f32x4.add(p2, f32x4.mul(x2, wp));
        q2 = f32x4.add(q2, f32x4.mul(x2, wq));
        p3 = f32x4.add(p3, f32x4.mul(x3, wp));
        q3 = f32x4.add(q3, f32x4.mul(x3, wq));
        w += rowB;
      }
      if (relu) {
        p0 = f32x4.max(p0, zero); q0 = f32x4.max(q0, zero);
        p1 = f32x4.max(p1, zero); q1 = f32x4.max(q1, zero);
        p2 = f32x4.max(p2, zero); q2 = f32x4.max(q2, zero);
        p3 = f32x4.max(p3, zero); q3 = f32x4.max(q3, zero);
      }
      const c = c0 + jb;
      v128.store(c, p0); v128.store(c, q0, 16);
      v128.store(c + rowB, p1); v128.store(c + rowB, q1, 16);
      v128.store(c + 2 * rowB, p2); v128.store(c + 2 * rowB, q2, 16);
      v128.store(c + 3 * rowB, p3); v128.store(c + 3 * rowB, q3, 16);
    }
    for (let rr = r; rr < r + 4; rr++) matmulRowTail(A + <usize>rr * rowA, k, n, n8, Bm, bias, C + <usize>rr * rowB, relu);
  }
  for (; r < m; r++) matmulRowTail(A + <usize>r * rowA, k, n, 0, Bm, bias, C + <usize>r * rowB, relu);
}

/** Columns [from, n) of one row of `matmul`: 4-wide vectors, then scalars. */
function matmulRowTail(a: usize, k: i32, n: i32, from: i32, Bm: usize, bias: usize, c: usize, relu: bool): void {
  const n4 = n & ~3;
  const rowB = <usize>n << 2;
  let j = from;
  for (; j < n4; j += 4) {
    const jb = <usize>j << 2;
    let acc = bias != 0 ? v128.load(bias + jb) : f32x4.splat(0);
    for (let i = 0; i < k; i++) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(a + (<usize>i << 2))), v128.load(Bm + <usize>i * rowB + jb)));
    v128.store(c + jb, relu ? f32x4.max(acc, f32x4.splat(0)) : acc);
  }
  for (; j < n; j++) {
    let acc: f32 = bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0;
    for (let i = 0; i < k; i++) acc += load<f32>(a + (<usize>i << 2)) * load<f32>(Bm + ((<usize>i * n + j) << 2));
    store<f32>(c + (<usize>j << 2), relu ? max<f32>(acc, 0) : acc);
  }
}

/** dst[cols, rows] = src[rows, cols]ᵀ. */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * cols) << 2);
    for (let c = 0; c < cols; c++) store<f32>(dst + ((<usize>c * rows + r) << 2), load<f32>(s + (<usize>c << 2)));
  }
}

/** dW[nin, nout] = Xᵀ dZ and db = Σ_rows dZ (overwriting); `xT` is scratch for nin·B floats. */
export function gradParams(X: usize, B: i32, nin: i32, nout: i32, dZ: usize, dW: usize, db: usize, xT: usize): void {
  const n4 = nout & ~3;
  const rowW = <usize>nout << 2;
  for (let j = 0; j < n4; j += 4) {
    const jb = <usize>j << 2;
    let s = f32x4.splat(0);
    for (let b = 0; b < B; b++) s = f32x4.add(s, v128.load(dZ + <usize>b * rowW + jb));
    v128.store(db + jb, s);
  }
  for (let j = n4; j < nout; j++) {
    let s: f32 = 0;
    for (let b = 0; b < B; b++) s += load<f32>(dZ + ((<usize>b * nout + j) << 2));
    store<f32>(db + (<usize>j << 2), s);
  }
  transpose(X, B, nin, xT);
  matmul(xT, nin, B, nout, dZ, 0, dW, false);
}

/** dX[B, nin] = dZ[B, nout] Wᵀ (overwriting); `wT` is scratch for nin·nout floats. */
export function gradInput(dZ: usize, B: i32, nin: i32, nout: i32, W: usize, dX: usize, wT: usize): void {
  transpose(W, nin, nout, wT);
  matmul(dZ, B, nout, nin, wT, 0, dX, false);
}
