/**
 * The host tape's dense-layer products in WebAssembly with SIMD (`assembly/kernels.ts`, the SAC engine's
 * product kernel): ~4 floats per instruction where the tape's JavaScript loops do one. The operands are
 * copied into the instance's memory for each call and the results copied out (a layer's copies are O(n·k +
 * k·m), its products O(n·k·m)). Loaded once per process/page by the backend inits; until then (or where
 * WebAssembly is missing) `tape.ts` runs its own loops, the same arithmetic, which the tests compare.
 */
import { compileWasm } from './engine/core.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  forward(x: number, n: number, k: number, w: number, b: number, m: number, y: number, relu: boolean): void;
  backward(
    x: number,
    n: number,
    k: number,
    w: number,
    m: number,
    dz: number,
    dx: number,
    dw: number,
    db: number,
    scratch: number,
  ): void;
}

/** Floats rounded up to a multiple of 4 (16-byte aligned regions for the SIMD loads). */
const pad = (n: number) => (n + 3) & ~3;

export class DenseKernels {
  private readonly ex: KernelExports;
  private f32: Float32Array;

  constructor(module: WebAssembly.Module) {
    this.ex = new WebAssembly.Instance(module, { env: { abort: () => undefined } }).exports as unknown as KernelExports;
    this.f32 = new Float32Array(this.ex.memory.buffer);
  }

  /** A view of at least `floats` floats of memory (from byte 1024, past the module's static data). */
  private reserve(floats: number): Float32Array {
    const bytes = 1024 + 4 * floats;
    const mem = this.ex.memory;
    if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    if (this.f32.buffer !== mem.buffer) this.f32 = new Float32Array(mem.buffer);
    return this.f32;
  }

  /** y = x W + b (ReLU when `relu`): x `[n, k]`, W `[k, m]`, all row-major. */
  forward(
    x: Float32Array,
    n: number,
    k: number,
    W: Float32Array,
    b: Float32Array,
    m: number,
    y: Float32Array,
    relu: boolean,
  ): void {
    const X = 256;
    const Wo = X + pad(n * k);
    const Bo = Wo + pad(k * m);
    const Yo = Bo + pad(m);
    const f = this.reserve(Yo + n * m);
    f.set(x, X);
    f.set(W, Wo);
    f.set(b, Bo);
    this.ex.forward(4 * X, n, k, 4 * Wo, 4 * Bo, m, 4 * Yo, relu);
    y.set(f.subarray(Yo, Yo + n * m));
  }

  /** Adds xᵀ dz to dW and Σ_rows dz to db (when dW is given) and dz Wᵀ to dx (when dx is given). */
  backward(
    x: Float32Array,
    n: number,
    k: number,
    W: Float32Array,
    m: number,
    dz: Float32Array,
    dx: Float32Array | null,
    dW: Float32Array | null,
    db: Float32Array | null,
  ): void {
    const X = 256;
    const Wo = X + pad(n * k);
    const Zo = Wo + pad(k * m);
    const DXo = Zo + pad(n * m);
    const DWo = DXo + pad(n * k);
    const DBo = DWo + pad(k * m);
    const So = DBo + pad(m);
    const f = this.reserve(So + Math.max(n * k, k * m));
    f.set(x, X);
    f.set(W, Wo);
    f.set(dz, Zo);
    this.ex.backward(4 * X, n, k, 4 * Wo, m, 4 * Zo, dx ? 4 * DXo : 0, dW ? 4 * DWo : 0, 4 * DBo, 4 * So);
    if (dx) for (let i = 0; i < n * k; i++) dx[i] += f[DXo + i];
    if (dW) for (let i = 0; i < k * m; i++) dW[i] += f[DWo + i];
    if (dW && db) for (let i = 0; i < m; i++) db[i] += f[DBo + i];
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;
let kernels: DenseKernels | null = null;

/** Loads the kernels once per process/page; `tape.ts` uses them from then on. */
export function loadTapeKernels(): Promise<void> {
  // Vite rewrites this pattern to the asset's URL in the browser build; in Node it is the file itself.
  compiled ??= compileWasm(new URL('./kernels.wasm', import.meta.url), 'loadTapeKernels');
  return compiled.then((m) => {
    kernels ??= new DenseKernels(m);
  });
}

/** The loaded kernels, or null (the tape's own loops then). */
export function tapeKernels(): DenseKernels | null {
  return kernels;
}

/** Turns the kernels off (null) or back on, for the tests comparing both paths; returns what was set. */
export function setTapeKernels(k: DenseKernels | null): DenseKernels | null {
  const before = kernels;
  kernels = k;
  return before;
}
