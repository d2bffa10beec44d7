/** Weight initialization shared by the tfjs networks (`mlp.ts`) and the wasm engine (`engine/`); no tfjs here. */
import type { Rng } from '../core/rng.js';

/**
 * Initial weights in the flat layout: PyTorch's `nn.Linear` default, W and b ~ U(±1/√in) (the output layer's
 * bound times `outputScale`), drawn from `rng` copy by copy, layer by layer. Also used by the wasm SAC engine
 * (`src/nn/engine`), so the same seed gives the same weights on every path.
 */
export function initialWeights(
  sizes: readonly number[],
  ensemble: number,
  outputScale: number,
  rng: Rng,
): Float32Array {
  const nLayers = sizes.length - 1;
  let n = 0;
  for (let l = 0; l < nLayers; l++) n += (sizes[l] + 1) * sizes[l + 1];
  const flat = new Float32Array(ensemble * n);
  let off = 0;
  for (let k = 0; k < ensemble; k++) {
    for (let l = 0; l < nLayers; l++) {
      const bound = (1 / Math.sqrt(sizes[l])) * (l === nLayers - 1 ? outputScale : 1);
      const m = (sizes[l] + 1) * sizes[l + 1];
      for (let i = 0; i < m; i++) flat[off + i] = rng.uniformRange(-bound, bound);
      off += m;
    }
  }
  return flat;
}
