/**
 * KL coefficient (β) controllers.
 *
 * - `fixed`: β never changes.
 * - `adaptive` (Ziegler et al. 2019, "Fine-Tuning Language Models from Human Preferences", §2.2):
 *   after each iteration with measured KL and `nSteps` environment steps,
 *       e = clip(KL / target − 1, −0.2, 0.2),     β ← β · (1 + e · nSteps / horizon)
 *   a proportional controller that raises β when the policy drifts past the target and lowers it otherwise.
 */
export type KlControl =
  { kind: 'fixed'; beta: number } | { kind: 'adaptive'; beta: number; target: number; horizon: number };

export interface KlController {
  readonly beta: number;
  /** Feeds one iteration's KL measurement (nats per step) over `nSteps` environment steps. */
  update(kl: number, nSteps: number): void;
  getState(): { beta: number };
  setState(s: { beta: number }): void;
}

function checkBeta(field: string, beta: number): void {
  if (!Number.isFinite(beta) || beta < 0) throw new RangeError(`${field} = ${beta}: β must be a finite number ≥ 0`);
}

/** Validates `cfg` and builds its controller. */
export function makeKlController(cfg: KlControl): KlController {
  checkBeta('klControl.beta', cfg.beta);
  if (cfg.kind === 'fixed') {
    let beta = cfg.beta;
    return {
      get beta() {
        return beta;
      },
      update() {},
      getState: () => ({ beta }),
      setState(s) {
        checkBeta('state.beta', s.beta);
        beta = s.beta;
      },
    };
  }
  if (cfg.kind !== 'adaptive')
    throw new RangeError(`klControl.kind = ${String((cfg as { kind: unknown }).kind)}, allowed: fixed, adaptive`);
  if (!(Number.isFinite(cfg.target) && cfg.target > 0)) {
    throw new RangeError(`klControl.target = ${cfg.target}: the KL target must be a finite number > 0`);
  }
  if (!(Number.isFinite(cfg.horizon) && cfg.horizon > 0)) {
    throw new RangeError(`klControl.horizon = ${cfg.horizon}: must be a finite number > 0`);
  }
  let beta = cfg.beta;
  return {
    get beta() {
      return beta;
    },
    update(kl, nSteps) {
      if (!Number.isFinite(kl)) throw new RangeError(`adaptive KL controller: measured KL = ${kl} is not finite`);
      const e = Math.min(0.2, Math.max(-0.2, kl / cfg.target - 1));
      beta *= 1 + (e * nSteps) / cfg.horizon;
    },
    getState: () => ({ beta }),
    setState(s) {
      checkBeta('state.beta', s.beta);
      beta = s.beta;
    },
  };
}
