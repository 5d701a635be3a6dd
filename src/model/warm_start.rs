//! A sparse solver for linfa-logistic's exact objective, used as its warm start.
//!
//! linfa's `MultiLogisticRegression` minimizes
//! `−Σ_i log softmax(x_i·W + b)[y_i] + α/2 ‖W‖²` with L-BFGS over a dense
//! matrix, so each iteration reads rows × K floats several times. Our rows
//! are ~1% nonzero. This module minimizes the same function with L-BFGS over
//! the sparse rows (cost ∝ nonzeros), and the result is handed to linfa as
//! `initial_params`: linfa's own fit then starts at (or next to) the optimum
//! and stops after a few dense passes. The fitted model is still linfa's, and
//! because the problem is strictly convex (α > 0) its optimum is the same.
//!
//! Parallel over fixed chunks of rows, summed in a fixed order, so the result
//! is the same on every run and thread count.

use crate::features::SparseRow;

/// The objective over sparse rows. Parameters are row-major
/// (n_features + 1) × n_classes, the last row being the intercept — the
/// layout of linfa's parameter matrix.
pub(crate) struct SparseSoftmax<'a> {
    pub(crate) rows: &'a [SparseRow],
    pub(crate) y: &'a [usize],
    pub(crate) n_features: usize,
    pub(crate) n_classes: usize,
    pub(crate) alpha: f64,
}

impl SparseSoftmax<'_> {
    fn len(&self) -> usize {
        (self.n_features + 1) * self.n_classes
    }

    /// Loss and gradient at `w`.
    #[cfg(test)]
    fn eval(&self, w: &[f64], grad: &mut [f64]) -> f64 {
        self.eval_with(w, grad, &mut Vec::new())
    }

    /// Loss and gradient at `w`. The rows are cut into two fixed halves whose
    /// gradients are computed in parallel and summed in order, so the result
    /// does not depend on the number of threads. `scratch` holds the second
    /// half's gradient across calls (allocating it per evaluation cost as
    /// much as the rows themselves).
    fn eval_with(&self, w: &[f64], grad: &mut [f64], scratch: &mut Vec<f64>) -> f64 {
        let b0 = self.n_features * self.n_classes;
        let mid = self.rows.len().div_ceil(2);
        grad.iter_mut().for_each(|g| *g = 0.0);
        scratch.clear();
        scratch.resize(grad.len(), 0.0);
        let (l0, l1) = rayon::join(
            || self.eval_rows(w, 0..mid, grad),
            || self.eval_rows(w, mid..self.rows.len(), scratch),
        );
        // the halves' sum and the penalty in one pass (per element: the
        // sum, then the penalty, as in two passes)
        let loss = 0.0 + l0 + l1;
        let mut reg = 0.0;
        let (weights, intercepts) = grad.split_at_mut(b0);
        for ((g, &sv), &wv) in weights.iter_mut().zip(&scratch[..b0]).zip(&w[..b0]) {
            *g += sv;
            *g += self.alpha * wv;
            reg += wv * wv;
        }
        for (g, &sv) in intercepts.iter_mut().zip(&scratch[b0..]) {
            *g += sv;
        }
        loss + 0.5 * self.alpha * reg
    }

    /// Adds the loss gradient of rows `range` to `grad`; returns their loss.
    /// Two to four classes (stance, sentiment) get a copy of the loop with
    /// the class count fixed at compile time: per nonzero it is then a few
    /// straight-line multiply-adds instead of a short loop of runtime length.
    fn eval_rows(&self, w: &[f64], range: std::ops::Range<usize>, grad: &mut [f64]) -> f64 {
        match self.n_classes {
            2 => self.eval_rows_fixed::<2>(w, range, grad),
            3 => self.eval_rows_fixed::<3>(w, range, grad),
            4 => self.eval_rows_fixed::<4>(w, range, grad),
            _ => self.eval_rows_any(w, range, grad),
        }
    }

    /// [`SparseSoftmax::eval_rows`] for exactly `C` classes; the same
    /// arithmetic in the same order as [`SparseSoftmax::eval_rows_any`].
    fn eval_rows_fixed<const C: usize>(
        &self,
        w: &[f64],
        range: std::ops::Range<usize>,
        grad: &mut [f64],
    ) -> f64 {
        let b0 = self.n_features * C;
        let mut bias = [0.0f64; C];
        bias.copy_from_slice(&w[b0..b0 + C]);
        let mut loss = 0.0;
        for (row, &y) in self.rows[range.clone()].iter().zip(&self.y[range]) {
            let mut s = bias;
            for &(j, x) in row {
                let base = j as usize * C;
                let wj: &[f64; C] = w[base..base + C].try_into().expect("C weights");
                let x = f64::from(x);
                for k in 0..C {
                    s[k] += x * wj[k];
                }
            }
            loss += softmax_residual(&mut s, y);
            for &(j, x) in row {
                let base = j as usize * C;
                let gj: &mut [f64; C] =
                    (&mut grad[base..base + C]).try_into().expect("C gradients");
                let x = f64::from(x);
                for k in 0..C {
                    gj[k] += x * s[k];
                }
            }
            for k in 0..C {
                grad[b0 + k] += s[k];
            }
        }
        loss
    }

    fn eval_rows_any(&self, w: &[f64], range: std::ops::Range<usize>, grad: &mut [f64]) -> f64 {
        let c = self.n_classes;
        let b0 = self.n_features * c;
        let mut loss = 0.0;
        let mut s = vec![0.0f64; c];
        for (row, &y) in self.rows[range.clone()].iter().zip(&self.y[range]) {
            s.copy_from_slice(&w[b0..b0 + c]);
            for &(j, x) in row {
                let base = j as usize * c;
                let x = f64::from(x);
                for (sk, wk) in s.iter_mut().zip(&w[base..base + c]) {
                    *sk += x * wk;
                }
            }
            loss += softmax_residual(&mut s, y);
            for &(j, x) in row {
                let base = j as usize * c;
                let x = f64::from(x);
                for (gk, sk) in grad[base..base + c].iter_mut().zip(&s) {
                    *gk += x * sk;
                }
            }
            for k in 0..c {
                grad[b0 + k] += s[k];
            }
        }
        loss
    }

    /// Minimizes with L-BFGS (memory 10, backtracking Armijo line search)
    /// until the largest gradient component, divided by the number of rows,
    /// is below `tol` (scikit-learn's `lbfgs` stopping rule, on the mean
    /// loss), or `max_iter` iterations.
    pub(crate) fn minimize(&self, tol: f64, max_iter: usize) -> Vec<f64> {
        self.minimize_from(vec![0.0; self.len()], tol, max_iter)
    }

    /// [`SparseSoftmax::minimize`] starting from `w` (same layout).
    ///
    /// The vectors hold (K + 1) × classes floats, over a megabyte each, and
    /// the history twenty of them, so the L-BFGS bookkeeping is bound by
    /// memory traffic, not arithmetic: it took about 40% of the solver's
    /// time. Each pass over the vectors therefore does as much as it can
    /// (the update of one step of the two-loop recursion together with the
    /// dot product the next step needs; the history pair together with its
    /// two dot products), with the same operations per element and the same
    /// summation order as one pass per operation, so the result is
    /// bit-identical (`fused_passes_equal_the_reference_solver`). On Mawqif
    /// the full fit's solve got about 13% faster (12 of 12 paired runs).
    pub(crate) fn minimize_from(&self, mut w: Vec<f64>, tol: f64, max_iter: usize) -> Vec<f64> {
        let n = self.len();
        let m = 10;
        w.resize(n, 0.0);
        let mut g = vec![0.0f64; n];
        let mut scratch = Vec::new();
        let mut f = self.eval_with(&w, &mut g, &mut scratch);
        // history, oldest first: (s, y, ρ = 1/sᵀy, sᵀy, yᵀy)
        let mut hist: Vec<History> = Vec::with_capacity(m);
        let mut w_new = vec![0.0f64; n];
        let mut g_new = vec![0.0f64; n];
        let mut d = vec![0.0f64; n];
        let mut spare: Vec<Vec<f64>> = Vec::new();
        let mut a = vec![0.0; m];
        for _ in 0..max_iter {
            let (gg, gmax) = dot_and_max_abs(&g);
            let gnorm = gg.sqrt();
            if gmax < tol * self.rows.len().max(1) as f64 {
                break;
            }
            // two-loop recursion: d = −H·g
            let k = hist.len();
            let mut slope;
            if k == 0 {
                slope = scale_negate_dot(&g, 1.0 / gnorm, &mut d);
            } else {
                // backward: a_i = ρ_i s_iᵀd; d −= a_i y_i (d starts as g)
                let mut sd = dot(&hist[k - 1].s, &g);
                for i in (0..k).rev() {
                    a[i] = hist[i].rho * sd;
                    let src = if i == k - 1 { Some(g.as_slice()) } else { None };
                    sd = if i > 0 {
                        axpy_dot(src, -a[i], &hist[i].y, &mut d, None, &hist[i - 1].s)
                    } else {
                        // then d *= γ, and the forward loop's first y_0ᵀd
                        let gamma = hist[k - 1].sy / hist[k - 1].yy;
                        axpy_dot(src, -a[0], &hist[0].y, &mut d, Some(gamma), &hist[0].y)
                    };
                }
                // forward: b_i = ρ_i y_iᵀd; d += (a_i − b_i) s_i; then d = −d
                let mut yd = sd;
                for i in 0..k {
                    let b = hist[i].rho * yd;
                    if i + 1 < k {
                        yd = axpy_dot(None, a[i] - b, &hist[i].s, &mut d, None, &hist[i + 1].y);
                    } else {
                        axpy(a[i] - b, &hist[i].s, &mut d);
                    }
                }
                slope = negate_dot(&mut d, &g);
            }
            if slope >= 0.0 {
                // not a descent direction: restart from steepest descent
                for h in hist.drain(..) {
                    spare.push(h.s);
                    spare.push(h.y);
                }
                d.iter_mut().zip(&g).for_each(|(dv, gv)| *dv = -gv / gnorm);
                slope = dot(&g, &d);
            }
            let f_new = self.backtrack(&w, &d, f, slope, &mut w_new, &mut g_new, &mut scratch);
            if f_new > f {
                break; // no progress possible at this precision
            }
            // history vectors are recycled: fresh large allocations each
            // iteration cost page faults comparable to an evaluation
            let mut sv = spare.pop().unwrap_or_else(|| vec![0.0; n]);
            let mut yv = spare.pop().unwrap_or_else(|| vec![0.0; n]);
            let (sy, yy) = differences(&w_new, &w, &g_new, &g, &mut sv, &mut yv);
            if sy > 1e-12 {
                if hist.len() == m {
                    let old = hist.remove(0);
                    spare.push(old.s);
                    spare.push(old.y);
                }
                hist.push(History {
                    s: sv,
                    y: yv,
                    rho: 1.0 / sy,
                    sy,
                    yy,
                });
            } else {
                spare.push(sv);
                spare.push(yv);
            }
            std::mem::swap(&mut w, &mut w_new);
            std::mem::swap(&mut g, &mut g_new);
            let done = (f - f_new).abs() <= 1e-13 * f.abs().max(1.0);
            f = f_new;
            if done {
                break;
            }
        }
        w
    }

    /// Backtracking (Armijo) line search from `w` along `d`: halves the
    /// step from 1 until the loss drops enough, at most 40 times. Leaves the
    /// accepted point and its gradient in `w_new`, `g_new`; returns its loss.
    // the point, direction, loss, slope, and the buffers it fills: each is
    // needed, and bundling them would only hide the contract
    #[allow(clippy::too_many_arguments)]
    fn backtrack(
        &self,
        w: &[f64],
        d: &[f64],
        f: f64,
        slope: f64,
        w_new: &mut [f64],
        g_new: &mut [f64],
        scratch: &mut Vec<f64>,
    ) -> f64 {
        let mut step = 1.0;
        let mut tries = 0;
        loop {
            for ((wn, &wv), &dv) in w_new.iter_mut().zip(w).zip(d) {
                *wn = wv + step * dv;
            }
            let f_new = self.eval_with(w_new, g_new, scratch);
            if f_new <= f + 1e-4 * step * slope || tries >= 40 {
                return f_new;
            }
            step *= 0.5;
            tries += 1;
        }
    }

    /// The textbook form of [`SparseSoftmax::minimize_from`] (one pass per
    /// vector operation), kept to test that the fused passes compute the same
    /// numbers.
    #[cfg(test)]
    fn minimize_from_reference(&self, mut w: Vec<f64>, tol: f64, max_iter: usize) -> Vec<f64> {
        let n = self.len();
        let m = 10;
        w.resize(n, 0.0);
        let mut g = vec![0.0f64; n];
        let mut scratch = Vec::new();
        let mut f = self.eval_with(&w, &mut g, &mut scratch);
        let mut s_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
        let mut y_hist: Vec<Vec<f64>> = Vec::with_capacity(m);
        let mut rho: Vec<f64> = Vec::with_capacity(m);
        let mut w_new = vec![0.0f64; n];
        let mut g_new = vec![0.0f64; n];
        let mut d = vec![0.0f64; n];
        let mut spare: Vec<Vec<f64>> = Vec::new();
        for _ in 0..max_iter {
            let gnorm = norm(&g);
            let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            if gmax < tol * self.rows.len().max(1) as f64 {
                break;
            }
            // two-loop recursion: d = −H·g
            d.copy_from_slice(&g);
            let k = s_hist.len();
            let mut a = vec![0.0; k];
            for i in (0..k).rev() {
                a[i] = rho[i] * dot(&s_hist[i], &d);
                axpy(-a[i], &y_hist[i], &mut d);
            }
            let gamma = if k > 0 {
                dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1])
            } else {
                1.0 / gnorm
            };
            d.iter_mut().for_each(|v| *v *= gamma);
            for i in 0..k {
                let b = rho[i] * dot(&y_hist[i], &d);
                axpy(a[i] - b, &s_hist[i], &mut d);
            }
            d.iter_mut().for_each(|v| *v = -*v);
            let mut slope = dot(&g, &d);
            if slope >= 0.0 {
                // not a descent direction: restart from steepest descent
                s_hist.clear();
                y_hist.clear();
                rho.clear();
                d.iter_mut().zip(&g).for_each(|(dv, gv)| *dv = -gv / gnorm);
                slope = dot(&g, &d);
            }
            let f_new = self.backtrack(&w, &d, f, slope, &mut w_new, &mut g_new, &mut scratch);
            if f_new > f {
                break; // no progress possible at this precision
            }
            // history vectors are recycled: fresh large allocations each
            // iteration cost page faults comparable to an evaluation
            let mut sv = spare.pop().unwrap_or_else(|| vec![0.0; n]);
            let mut yv = spare.pop().unwrap_or_else(|| vec![0.0; n]);
            for i in 0..n {
                sv[i] = w_new[i] - w[i];
                yv[i] = g_new[i] - g[i];
            }
            let sy = dot(&sv, &yv);
            if sy > 1e-12 {
                if s_hist.len() == m {
                    spare.push(s_hist.remove(0));
                    spare.push(y_hist.remove(0));
                    rho.remove(0);
                }
                s_hist.push(sv);
                y_hist.push(yv);
                rho.push(1.0 / sy);
            } else {
                spare.push(sv);
                spare.push(yv);
            }
            std::mem::swap(&mut w, &mut w_new);
            std::mem::swap(&mut g, &mut g_new);
            let done = (f - f_new).abs() <= 1e-13 * f.abs().max(1.0);
            f = f_new;
            if done {
                break;
            }
        }
        w
    }
}

/// Turns class scores `s` into softmax(s) − onehot(y), the per-row factor of
/// the gradient, and returns the row's loss `−log softmax(s)[y]`.
#[inline(always)]
fn softmax_residual(s: &mut [f64], y: usize) -> f64 {
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    // loss = lse − s_y = ln(sum) + max − s_y; s now holds exp(s − max)
    let loss = sum.ln() - s[y].ln();
    for v in s.iter_mut() {
        *v /= sum;
    }
    s[y] -= 1.0;
    loss
}

/// Dot product with eight independent partial sums. A single running sum is
/// one dependent add per element, which the compiler may not reorder, so it
/// ran unvectorized and the L-BFGS two-loop recursion (twenty dots over all
/// weights per iteration) cost about as much as the loss itself. The order
/// is fixed, so results are the same on every run and platform.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let split = chunked(n);
    let mut lanes = Lanes::new();
    for (x, y) in a[..split].chunks_exact(8).zip(b[..split].chunks_exact(8)) {
        for k in 0..8 {
            lanes.acc[k] += x[k] * y[k];
        }
    }
    lanes.finish(tail_dot(a, b, split))
}

#[cfg(test)]
fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// One L-BFGS history pair with the scalars the recursion needs.
struct History {
    s: Vec<f64>,
    y: Vec<f64>,
    rho: f64,
    sy: f64,
    yy: f64,
}

/// [`dot`]'s eight partial sums, shared with the fused passes so that every
/// dot product is summed in the same order; [`Lanes::finish`] adds them up.
struct Lanes {
    acc: [f64; 8],
}

impl Lanes {
    fn new() -> Lanes {
        Lanes { acc: [0.0; 8] }
    }
    #[inline(always)]
    fn finish(&self, tail: f64) -> f64 {
        let acc = &self.acc;
        ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
    }
}

/// The length covered by whole chunks of eight (the rest is [`dot`]'s tail).
#[inline(always)]
fn chunked(n: usize) -> usize {
    n - n % 8
}

/// [`dot`]'s tail: the products past the last whole chunk, summed in order.
fn tail_dot(a: &[f64], b: &[f64], from: usize) -> f64 {
    a[from..].iter().zip(&b[from..]).map(|(x, y)| x * y).sum()
}

/// `d = (src or d) + alpha·x`, then `d *= scale` if given; returns `zᵀd`
/// of the new `d`. The same arithmetic as [`axpy`], a scaling pass and
/// [`dot`] in turn, in one pass.
fn axpy_dot(
    src: Option<&[f64]>,
    alpha: f64,
    x: &[f64],
    d: &mut [f64],
    scale: Option<f64>,
    z: &[f64],
) -> f64 {
    // one loop per case, so the element loop has no branches
    match (src, scale) {
        (None, None) => axpy_dot_with::<false, false>(x, alpha, x, d, 1.0, z),
        (None, Some(s)) => axpy_dot_with::<false, true>(x, alpha, x, d, s, z),
        (Some(src), None) => axpy_dot_with::<true, false>(src, alpha, x, d, 1.0, z),
        (Some(src), Some(s)) => axpy_dot_with::<true, true>(src, alpha, x, d, s, z),
    }
}

/// [`axpy_dot`] for one case: `FROM` reads the old `d` from `src`, `SCALE`
/// multiplies by `scale`.
#[inline(always)]
fn axpy_dot_with<const FROM: bool, const SCALE: bool>(
    src: &[f64],
    alpha: f64,
    x: &[f64],
    d: &mut [f64],
    scale: f64,
    z: &[f64],
) -> f64 {
    let n = d.len();
    let split = chunked(n);
    let update = |old: f64, xv: f64| {
        let v = old + alpha * xv;
        if SCALE { v * scale } else { v }
    };
    let mut lanes = Lanes::new();
    for (((dc, xc), zc), sc) in d[..split]
        .chunks_exact_mut(8)
        .zip(x[..split].chunks_exact(8))
        .zip(z[..split].chunks_exact(8))
        .zip(src[..split].chunks_exact(8))
    {
        for l in 0..8 {
            let old = if FROM { sc[l] } else { dc[l] };
            dc[l] = update(old, xc[l]);
            lanes.acc[l] += zc[l] * dc[l];
        }
    }
    for j in split..n {
        let old = if FROM { src[j] } else { d[j] };
        d[j] = update(old, x[j]);
    }
    lanes.finish(tail_dot(z, d, split))
}

/// `d = −d`; returns `gᵀd` of the new `d` ([`dot`]'s order).
fn negate_dot(d: &mut [f64], g: &[f64]) -> f64 {
    let split = chunked(d.len());
    let mut lanes = Lanes::new();
    for (dc, gc) in d[..split]
        .chunks_exact_mut(8)
        .zip(g[..split].chunks_exact(8))
    {
        for l in 0..8 {
            dc[l] = -dc[l];
            lanes.acc[l] += gc[l] * dc[l];
        }
    }
    for v in &mut d[split..] {
        *v = -*v;
    }
    lanes.finish(tail_dot(g, d, split))
}

/// `d = −(g·scale)`; returns `gᵀd` ([`dot`]'s order).
fn scale_negate_dot(g: &[f64], scale: f64, d: &mut [f64]) -> f64 {
    for (dv, &gv) in d.iter_mut().zip(g) {
        *dv = -(gv * scale);
    }
    dot(g, d)
}

/// `gᵀg` ([`dot`]'s order) and the largest `|g_j|`, in one pass.
fn dot_and_max_abs(g: &[f64]) -> (f64, f64) {
    let split = chunked(g.len());
    let mut lanes = Lanes::new();
    let mut max = [0.0f64; 8];
    for gc in g[..split].chunks_exact(8) {
        for l in 0..8 {
            lanes.acc[l] += gc[l] * gc[l];
            max[l] = max[l].max(gc[l].abs());
        }
    }
    // the maximum is exact, so lanes do not change it
    let max = g[split..]
        .iter()
        .fold(max.iter().copied().fold(0.0, f64::max), |m, v| {
            m.max(v.abs())
        });
    (lanes.finish(tail_dot(g, g, split)), max)
}

/// `s = w_new − w`, `y = g_new − g`; returns `(sᵀy, yᵀy)` ([`dot`]'s order).
fn differences(
    w_new: &[f64],
    w: &[f64],
    g_new: &[f64],
    g: &[f64],
    s: &mut [f64],
    y: &mut [f64],
) -> (f64, f64) {
    let n = s.len();
    let split = chunked(n);
    let (mut sy, mut yy) = (Lanes::new(), Lanes::new());
    for ((((sc, yc), wn), wo), (gn, go)) in s[..split]
        .chunks_exact_mut(8)
        .zip(y[..split].chunks_exact_mut(8))
        .zip(w_new[..split].chunks_exact(8))
        .zip(w[..split].chunks_exact(8))
        .zip(
            g_new[..split]
                .chunks_exact(8)
                .zip(g[..split].chunks_exact(8)),
        )
    {
        for l in 0..8 {
            sc[l] = wn[l] - wo[l];
            yc[l] = gn[l] - go[l];
            sy.acc[l] += sc[l] * yc[l];
            yy.acc[l] += yc[l] * yc[l];
        }
    }
    for j in split..n {
        s[j] = w_new[j] - w[j];
        y[j] = g_new[j] - g[j];
    }
    (
        sy.finish(tail_dot(s, y, split)),
        yy.finish(tail_dot(y, y, split)),
    )
}

fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yv, xv) in y.iter_mut().zip(x) {
        *yv += alpha * xv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed-class-count loops do the same arithmetic as the general one.
    #[test]
    fn fixed_class_loops_equal_the_general_loop() {
        let mut st = 1u64;
        let mut rnd = move || {
            st = st
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (st >> 33) as u32
        };
        let rows: Vec<SparseRow> = (0..50)
            .map(|_| {
                (0..20)
                    .map(|_| (rnd() % 40, (rnd() % 100) as f32 / 100.0))
                    .collect()
            })
            .collect();
        for c in 2..=4 {
            let y: Vec<usize> = (0..50).map(|i| i % c).collect();
            let p = SparseSoftmax {
                rows: &rows,
                y: &y,
                n_features: 40,
                n_classes: c,
                alpha: 0.3,
            };
            let w: Vec<f64> = (0..p.len()).map(|i| (i as f64 * 0.37).sin()).collect();
            let (mut g1, mut g2) = (vec![0.0; p.len()], vec![0.0; p.len()]);
            let l1 = p.eval_rows_any(&w, 0..50, &mut g1);
            let l2 = p.eval_rows(&w, 0..50, &mut g2);
            assert_eq!((l1, &g1), (l2, &g2), "{c} classes");
        }
    }

    /// The fused passes of `minimize_from` change no number: on random
    /// problems (parameter counts not a multiple of eight, more iterations
    /// than the history holds, cold and warm starts) the weights equal the
    /// one-pass-per-operation solver's bit for bit.
    #[test]
    fn fused_passes_equal_the_reference_solver() {
        let mut st = 7u64;
        let mut rnd = move || {
            st = st
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (st >> 33) as u32
        };
        for (n_rows, n_features, c) in [(120, 37, 3), (200, 61, 2), (90, 23, 5)] {
            let rows: Vec<SparseRow> = (0..n_rows)
                .map(|_| {
                    let mut r: Vec<(u32, f32)> = (0..8)
                        .map(|_| (rnd() % n_features, (rnd() % 100 + 1) as f32 / 100.0))
                        .collect();
                    r.sort_by_key(|e| e.0);
                    r.dedup_by_key(|e| e.0);
                    r
                })
                .collect();
            let y: Vec<usize> = (0..n_rows).map(|_| rnd() as usize % c).collect();
            let p = SparseSoftmax {
                rows: &rows,
                y: &y,
                n_features: n_features as usize,
                n_classes: c,
                alpha: 0.05,
            };
            let warm: Vec<f64> = (0..p.len()).map(|i| (i as f64 * 0.11).cos()).collect();
            for (init, tol) in [(vec![0.0; p.len()], 1e-9), (warm, 1e-4)] {
                let fused = p.minimize_from(init.clone(), tol, 60);
                let reference = p.minimize_from_reference(init.clone(), tol, 60);
                assert_ne!(fused, init, "the solver moved");
                let same = fused
                    .iter()
                    .zip(&reference)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{n_rows}×{n_features}, {c} classes, tol {tol}");
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let rows: Vec<SparseRow> = vec![
            vec![(0, 0.6), (2, 0.8)],
            vec![(1, 1.0)],
            vec![(0, 0.3), (1, 0.4)],
        ];
        let y = [0, 1, 2];
        let p = SparseSoftmax {
            rows: &rows,
            y: &y,
            n_features: 3,
            n_classes: 3,
            alpha: 0.5,
        };
        let w: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut g = vec![0.0; 12];
        p.eval(&w, &mut g);
        let mut tmp = vec![0.0; 12];
        for i in 0..12 {
            let mut wp = w.clone();
            wp[i] += 1e-6;
            let mut wm = w.clone();
            wm[i] -= 1e-6;
            let fd = (p.eval(&wp, &mut tmp) - p.eval(&wm, &mut tmp)) / 2e-6;
            assert!((fd - g[i]).abs() < 1e-5, "coordinate {i}: {fd} vs {}", g[i]);
        }
    }

    #[test]
    fn converges_to_a_stationary_point() {
        let rows: Vec<SparseRow> = (0..60)
            .map(|i| vec![((i % 3) as u32, 1.0), (3, 0.5)])
            .collect();
        let y: Vec<usize> = (0..60).map(|i| i % 3).collect();
        let p = SparseSoftmax {
            rows: &rows,
            y: &y,
            n_features: 4,
            n_classes: 3,
            alpha: 0.1,
        };
        let w = p.minimize(1e-8, 500);
        let mut g = vec![0.0; w.len()];
        p.eval(&w, &mut g);
        assert!(norm(&g) < 1e-6, "gradient norm {}", norm(&g));
    }
}
