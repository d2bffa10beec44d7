/**
 * ELBO playground: the lesson's linear-Gaussian model p(z) = N(0, σ_p²), p(x|z) = N(z, 1) with a Gaussian
 * q(z) = N(μ, s²). Sliders move x, μ, s² and σ_p²; every number shown comes from `src/vi`: log p(x), the
 * ELBO's two terms, the gap by definition and as KL to the exact posterior, and a reparameterized Monte
 * Carlo ELBO (seeded). Charts: the three densities, and the ELBO as a function of μ under the log p(x) line.
 */
import { Rng } from '../../core/rng.js';
import { LESSON_EXAMPLES, LinearGaussianModel, WORKED_EXAMPLE, gaussianLogPdf, type Gaussian } from '../../vi/index.js';
import { lineChart } from '../chart.js';
import { COLORS, css } from '../palette.js';
import type { PanelModule } from '../panel.js';
import { extraNumber } from '../state.js';
import { button, h, section, select, slider, statTable, whatToNotice } from '../ui.js';

const MC_SAMPLES = 1000;

export const mount: PanelModule['mount'] = async (host, view) => {
  const s = view.state;
  const p = {
    x: extraNumber(s, 'x', WORKED_EXAMPLE.x),
    mu: extraNumber(s, 'mu', WORKED_EXAMPLE.q.mean),
    s2: extraNumber(s, 's2', WORKED_EXAMPLE.q.variance),
    sp2: extraNumber(s, 'sp2', WORKED_EXAMPLE.priorVariance),
  };

  const intro = section(
    host.sidebar,
    'Model',
    'p(z) = N(0, σ_p²), p(x|z) = N(z, 1). Observe x, pick q(z) = N(μ, s²). The ELBO is a lower bound on log p(x); the gap is KL(q ‖ p(z|x)).',
  );
  const preset = LESSON_EXAMPLES.find(
    (e) => e.x === p.x && e.q.mean === p.mu && e.q.variance === p.s2 && e.priorVariance === p.sp2,
  );
  const presetSelect = select(
    intro,
    'elbo-preset',
    'Lesson example',
    ['custom', ...LESSON_EXAMPLES.map((e) => ({ value: e.title, label: `${e.title.split(':')[0]} (x = ${e.x})` }))],
    preset?.title ?? 'custom',
    (title) => {
      const ex = LESSON_EXAMPLES.find((e) => e.title === title);
      if (!ex) return;
      Object.assign(p, { x: ex.x, mu: ex.q.mean, s2: ex.q.variance, sp2: ex.priorVariance });
      syncSliders();
      render();
    },
  );
  const ctl = section(host.sidebar, 'Sliders');
  const fmt = (v: number) => v.toFixed(2);
  const inputs = {
    x: slider(ctl, {
      id: 'elbo-x',
      label: 'observation x',
      min: -4,
      max: 4,
      step: 0.05,
      value: p.x,
      format: fmt,
      onInput: (v) => ((p.x = v), render()),
    }),
    mu: slider(ctl, {
      id: 'elbo-mu',
      label: 'q mean μ',
      min: -4,
      max: 4,
      step: 0.05,
      value: p.mu,
      format: fmt,
      onInput: (v) => ((p.mu = v), render()),
    }),
    s2: slider(ctl, {
      id: 'elbo-s2',
      label: 'q variance s²',
      min: 0.05,
      max: 4,
      step: 0.05,
      value: p.s2,
      format: fmt,
      onInput: (v) => ((p.s2 = v), render()),
    }),
    sp2: slider(ctl, {
      id: 'elbo-sp2',
      label: 'prior variance σ_p²',
      min: 0.25,
      max: 9,
      step: 0.25,
      value: p.sp2,
      format: fmt,
      onInput: (v) => ((p.sp2 = v), render()),
    }),
  };
  const syncSliders = () => {
    for (const k of Object.keys(inputs) as Array<keyof typeof inputs>) {
      inputs[k].value = String(p[k]);
      inputs[k].dispatchEvent(new Event('input'));
    }
  };
  button(ctl, 'elbo-fit', 'Set q to the exact posterior (gap → 0)', () => {
    const post = new LinearGaussianModel(p.sp2, 1).posterior(p.x);
    Object.assign(p, { mu: post.mean, s2: post.variance });
    syncSliders();
    render();
  });

  // x = 2 with σ_p² = 1: the posterior N(1, 0.5), on the sliders' grid, so each preset is exact.
  const set = (v: typeof p) => () => {
    Object.assign(p, v);
    syncSliders();
    render();
  };
  whatToNotice(
    host.sidebar,
    'elbo',
    'The gap between log p(x) and the ELBO is exactly KL(q ‖ p(z|x)). One click sets:',
    'Watch the two gap rows: they agree for every q.',
    [
      {
        id: 'fit',
        label: 'q = the posterior',
        note: 'q = N(1, 0.5) is the posterior for x = 2: the gap is 0 and the ELBO equals log p(x).',
        apply: set({ x: 2, mu: 1, s2: 0.5, sp2: 1 }),
      },
      {
        id: 'narrow',
        label: 'q too narrow',
        note: 'The right mean with a tenth of the variance (s² = 0.05): the gap is KL = 0.70 nats, an over-confident q pays it.',
        apply: set({ x: 2, mu: 1, s2: 0.05, sp2: 1 }),
      },
      {
        id: 'wide-prior',
        label: 'a wide prior',
        note: 'With σ_p² = 9 the posterior follows the data: mean 1.8 for x = 2 (σ_p² = 1 pulls it halfway to 0).',
        apply: set({ x: 2, mu: 1.8, s2: 0.9, sp2: 9 }),
      },
    ],
  );

  const left = h('div', { class: 'elbo-left' });
  host.main.append(left);

  function render(): void {
    view.update({}, { x: String(p.x), mu: String(p.mu), s2: String(p.s2), sp2: String(p.sp2) });
    // The menu names the lesson example the sliders show, or 'custom' once one moves away from it.
    presetSelect.value =
      LESSON_EXAMPLES.find(
        (e) => e.x === p.x && e.q.mean === p.mu && e.q.variance === p.s2 && e.priorVariance === p.sp2,
      )?.title ?? 'custom';
    const model = new LinearGaussianModel(p.sp2, 1);
    const q: Gaussian = { mean: p.mu, variance: p.s2 };
    const t = model.elbo(p.x, q);
    const logpx = model.logMarginal(p.x);
    const gapDef = model.gapByDefinition(p.x, q);
    const gapKL = model.gapByPosteriorKL(p.x, q);
    const post = model.posterior(p.x);
    const mc = model.monteCarloElbo(p.x, q, new Rng(`elbo/${view.state.seed}`), MC_SAMPLES);

    left.replaceChildren();
    const eq = h('div', { class: 'identity', 'data-testid': 'elbo-identity' });
    eq.innerHTML = `log p(x) = ELBO + KL(q ‖ p(z|x)):&nbsp; <b>${logpx.toFixed(3)}</b> = <b>${t.elbo.toFixed(3)}</b> + <b>${gapKL.toFixed(3)}</b>`;
    left.append(eq);
    const row = h('div', { class: 'row' });
    row.style.cssText = 'display:flex;gap:16px;flex-wrap:wrap;margin-top:8px';
    left.append(row);
    statTable(
      row,
      'Closed form (src/vi)',
      [
        { key: 'logpx', label: 'log p(x)', value: logpx, hint: 'p(x) = N(0, σ_p² + 1)' },
        { key: 'reconstruction', label: 'E_q[log p(x|z)]', value: t.reconstruction, hint: 'reconstruction term' },
        { key: 'klPrior', label: 'KL(q ‖ p(z))', value: t.kl, hint: 'regularizer term' },
        { key: 'elbo', label: 'ELBO = recon − KL', value: t.elbo },
        { key: 'gapDefinition', label: 'gap: log p(x) − ELBO', value: gapDef },
        { key: 'gapKL', label: 'gap: KL(q ‖ p(z|x))', value: gapKL },
      ],
      'elbo-stats',
    );
    statTable(
      row,
      'Posterior and Monte Carlo',
      [
        { key: 'postMean', label: 'posterior mean', value: post.mean },
        { key: 'postVar', label: 'posterior variance', value: post.variance },
        { key: 'mcElbo', label: `MC ELBO (${MC_SAMPLES} reparam. draws)`, value: mc.elbo.mean },
        { key: 'mcStdErr', label: 'MC standard error', value: mc.elbo.stdErr },
      ],
      'elbo-mc',
    );

    host.charts.replaceChildren();
    const zs = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
    const dens = (g: Gaussian) => zs.map((z) => [z, Math.exp(gaussianLogPdf(z, g))] as const);
    host.charts.append(
      lineChart({
        title: 'Densities over the latent z',
        xLabel: 'z',
        yLabel: 'density',
        width: 520,
        height: 260,
        markers: [{ x: p.x, label: 'x' }],
        series: [
          // q first: the first series is drawn on top, and dashed, so the posterior shows through when they coincide.
          { name: 'q(z)', color: COLORS.q, points: dens(q), dashed: true },
          { name: 'posterior p(z|x)', color: COLORS.posterior, points: dens(post) },
          { name: 'prior p(z)', color: COLORS.prior, points: dens(model.prior), dashed: true },
        ],
      }),
    );
    // μ near the posterior mean (±2 posterior sd, and the current μ): there the ELBO is within a few nats of
    // log p(x), so a gap of a tenth of a nat is visible; over all of [−4, 4] the axis would span tens of nats.
    const w = 2 * Math.sqrt(post.variance);
    const [m0, m1] = [Math.min(post.mean - w, p.mu - 0.25), Math.max(post.mean + w, p.mu + 0.25)];
    const mus = Array.from({ length: 121 }, (_, i) => m0 + ((m1 - m0) * i) / 120);
    host.charts.append(
      lineChart({
        title: `ELBO as a function of μ (s² = ${p.s2.toFixed(2)})`,
        xLabel: 'q mean μ',
        yLabel: 'nats',
        width: 520,
        height: 260,
        markers: [{ x: p.mu, label: 'μ' }],
        series: [
          { name: 'log p(x)', color: COLORS.text, points: mus.map((m) => [m, logpx] as const), dashed: true },
          {
            name: 'ELBO(μ)',
            color: COLORS.q,
            points: mus.map((m) => [m, model.elbo(p.x, { mean: m, variance: p.s2 }).elbo] as const),
          },
        ],
      }),
    );
  }
  render();
  const legendNote = h('p', { class: 'note' });
  legendNote.innerHTML = `<span style="color:${css(COLORS.posterior)}">posterior</span> is the target; <span style="color:${css(COLORS.q)}">q</span> is what you control; the ELBO touches log p(x) only when q equals the posterior.`;
  intro.append(legendNote);
  return () => undefined;
};
