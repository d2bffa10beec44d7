// The host tape's dense-layer kernels (src/nn/tape.ts via src/nn/kernels.ts), compiled to WebAssembly with SIMD.
// The caller writes the operands into this instance's memory at offsets it chooses and reads the results
// back; nothing is kept between calls. Products from dense.ts.

import { gradInput, gradParams, matmul } from './dense';

/** y[n, m] = x[n, k] W[k, m] + b (ReLU when `relu`). */
export function forward(x: usize, n: i32, k: i32, w: usize, b: usize, m: i32, y: usize, relu: bool): void {
  matmul(x, n, k, m, w, b, y, relu);
}

/** dW = xᵀ dz, db = Σ_rows dz (when dw ≠ 0), dx = dz Wᵀ (when dx ≠ 0), overwriting; `scratch` holds max(n·k, k·m) floats. */
export function backward(x: usize, n: i32, k: i32, w: usize, m: i32, dz: usize, dx: usize, dw: usize, db: usize, scratch: usize): void {
  if (dw != 0) gradParams(x, n, k, m, dz, dw, db, scratch);
  if (dx != 0) gradInput(dz, n, k, m, w, dx, scratch);
}
