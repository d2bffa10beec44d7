/**
 * The dreamer agent's imagination loss on tfjs autodiff: the reference its host-tape path
 * (`DreamerAgent.imagination`) is checked against, from the same weights and noise (same draws in the same
 * order), and what `npm run bench -- dreamer` times as the other path. The math is `dreamer.ts`'s header;
 * here it is spelled in tfjs ops, the prior's density and its action gradient straight from `prior.logProb`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { stopGradient } from '../../core/tensor.js';
import type { Net } from '../../nn/tape.js';
import type { BoxPrior } from '../../priors/prior.js';
import { LOG_STD_RANGE, type DreamerAgent } from './dreamer.js';

/** An MLP of `net`'s sizes on tfjs from a flat weight tensor (the same layout), ReLU hidden layers. */
function mlp(x: tf.Tensor2D, net: Net, flat: tf.Tensor1D = tf.tensor1d(net.weights)): tf.Tensor2D {
  let h = x;
  let off = 0;
  const L = net.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const [i, o] = [net.sizes[l], net.sizes[l + 1]];
    const W = tf.reshape(tf.slice(flat, off, i * o), [i, o]) as tf.Tensor2D;
    const b = tf.slice(flat, off + i * o, o);
    h = tf.add(tf.matMul(h, W), b);
    if (l < L - 1) h = tf.relu(h);
    off += (i + 1) * o;
  }
  return h;
}

/** The actor's loss −mean R/S and its gradient (the actor's flat layout), as `DreamerAgent.imagination` draws. */
export function imaginationAutodiff(
  agent: DreamerAgent,
  h0: Float32Array,
  z0: Float32Array,
  N: number,
  rng: Rng,
  scale: number,
): { loss: number; grad: Float32Array } {
  const { horizon: H, gamma, lambda, deterDim: D, stochDim: S, minStd } = agent.cfg;
  const A = agent.dims.actDim;
  const { gru, prior, decoder, reward } = agent.model.nets;
  const [lmin, lmax] = LOG_STD_RANGE;
  const lo = tf.tensor1d(agent.lo);
  const half = tf.div(tf.sub(tf.tensor1d(agent.hi), lo), 2);
  const alpha = agent.alpha;
  const boxPrior = agent.objective.prior as BoxPrior;
  // Draw every step's noise first, in the tape path's order (actor ε, then latent ε, per step).
  const noise = Array.from({ length: H }, () => ({
    a: Float32Array.from({ length: N * A }, () => rng.normal()),
    z: Float32Array.from({ length: N * S }, () => rng.normal()),
  }));
  return tf.tidy(() => {
    const actorFlat = tf.variable(tf.tensor1d(agent.actor.weights), true);
    const lossOf = () => {
      let h = tf.tensor2d(h0, [N, D]);
      let z = tf.tensor2d(z0, [N, S]);
      const soft: tf.Tensor2D[] = [];
      const values: tf.Tensor2D[] = [];
      for (let t = 0; t < H; t++) {
        const feat = tf.concat([h, z], 1);
        const out = mlp(feat, agent.actor, actorFlat as unknown as tf.Tensor1D);
        const [mu, r] = tf.split(out, [A, A], 1);
        const logStd = tf.add(lmin, tf.mul(lmax - lmin, tf.sigmoid(r)));
        const eps = tf.tensor2d(noise[t].a, [N, A]);
        const th = tf.tanh(tf.add(mu, tf.mul(tf.exp(logStd), eps)));
        const action = tf.add(lo, tf.mul(half, tf.add(th, 1))) as tf.Tensor2D;
        const logPi = tf.sum(
          tf.sub(
            tf.sub(tf.sub(tf.mul(-0.5, tf.square(eps)), logStd), tf.add(0.5 * Math.log(2 * Math.PI), tf.log(half))),
            tf.log(tf.maximum(tf.sub(1, tf.square(th)), 1e-6)),
          ),
          1,
          true,
        );
        const xHat = stopGradient(mlp(feat, decoder)) as tf.Tensor2D;
        const kl = tf.sub(logPi, tf.reshape(boxPrior.logProb(xHat, action), [N, 1]));
        const parts = mlp(tf.concat([z, action, h], 1), gru);
        const [reset, cand, update] = tf.split(parts, [D, D, D], 1);
        const u = tf.sigmoid(tf.sub(update, 1));
        h = tf.add(tf.mul(u, tf.tanh(tf.mul(tf.sigmoid(reset), cand))), tf.mul(tf.sub(1, u), h));
        const [pm, praw] = tf.split(mlp(h, prior), [S, S], 1);
        z = tf.add(pm, tf.mul(tf.add(tf.softplus(praw), minStd), tf.tensor2d(noise[t].z, [N, S])));
        const next = tf.concat([h, z], 1);
        soft.push(tf.sub(mlp(next, reward), tf.mul(alpha, kl)));
        const f = mlp(next, { ...agent.critic, weights: agent.slowCriticWeights });
        values.push(tf.mul(tf.sign(f), tf.sub(tf.exp(tf.abs(f)), 1)));
      }
      const returns: tf.Tensor2D[] = new Array(H);
      returns[H - 1] = tf.add(soft[H - 1], tf.mul(gamma, values[H - 1]));
      for (let t = H - 2; t >= 0; t--)
        returns[t] = tf.add(
          soft[t],
          tf.mul(gamma, tf.add(tf.mul(1 - lambda, values[t]), tf.mul(lambda, returns[t + 1]))),
        );
      return tf.div(tf.neg(tf.mean(tf.concat(returns, 0))), scale) as tf.Scalar;
    };
    const { value, grads } = tf.variableGrads(lossOf, [actorFlat]);
    const out = { loss: value.dataSync()[0], grad: Float32Array.from(grads[actorFlat.name].dataSync()) };
    actorFlat.dispose();
    return out;
  });
}
