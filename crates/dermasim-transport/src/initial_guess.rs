//! The initial guess of each implicit step: the Galerkin projection of the new state onto the
//! span of the last few states.
//!
//! A BDF step solves `M u = b` with `M = s·Cap + K` (`s` the BDF shift, `Cap` the
//! capacities, `K` the conductances, clearance and boundary couplings). The states of the
//! last steps `u_1 … u_m` (newest first) span the slow modes that dominate the new state, so
//! the combination `x₀ = Σ y_j u_j` that minimises the energy error `‖u − x₀‖_M` is a far
//! better start for CG than the polynomial extrapolation of the same states: `G y = f` with
//! `G_ij = u_iᵀ M u_j` and `f_i = u_iᵀ b`. This is P. F. Fischer's projection of successive
//! right-hand sides (Fischer 1998, *Computer Methods in Applied Mechanics and Engineering*
//! 163, 193–204), with the earlier states themselves as the basis instead of an
//! `M`-orthonormalised set of past solutions. Because `M` changes with the step size, the
//! Gram matrix is kept in two shift-free parts, `C_ij = u_iᵀ Cap u_j` and
//! `K_ij = u_iᵀ K u_j`, and formed as `s·C + K` for each step; each new state adds one row at
//! the cost of one matrix–vector product (`docs/models.md` §6).
//!
//! Late in a run the states become nearly parallel (one slow mode decaying), so `G` is close to
//! singular. The small system is solved by elimination in the order newest first on the
//! diagonally scaled matrix, and a state whose scaled pivot falls below [`PIVOT_MIN`] (i.e.
//! that adds less than `√PIVOT_MIN` of its own energy norm to the newer ones) is left out.

/// Smallest scaled pivot of the Gram matrix for which a state is kept in the projection
/// (numerical choice: the entries carry round-off of ~1e-15 of the diagonal, so a kept pivot
/// is known to ~1e-5 relative; 1e-8 and 1e-12 took 369 and 357 CG iterations against 355 on
/// the 400 µm `solve-timing` patch, 1 288 and 1 297 against 1 293 on the unit cell,
/// `docs/performance.md`).
pub const PIVOT_MIN: f64 = 1e-10;

/// The two shift-free Gram matrices of the last states, newest first.
#[derive(Clone, Debug)]
pub struct StateGram {
    capacity: usize,
    /// `C_ij = u_iᵀ Cap u_j`.
    cap: Vec<Vec<f64>>,
    /// `K_ij = u_iᵀ K u_j`.
    stiff: Vec<Vec<f64>>,
}

impl StateGram {
    /// An empty set that holds at most `capacity` states.
    pub fn new(capacity: usize) -> Self {
        StateGram { capacity, cap: Vec::new(), stiff: Vec::new() }
    }

    /// States held.
    pub fn len(&self) -> usize {
        self.cap.len()
    }

    /// Whether no state is held.
    pub fn is_empty(&self) -> bool {
        self.cap.is_empty()
    }

    /// Forget every state (the operator changed, so the stiffness entries are stale).
    pub fn clear(&mut self) {
        self.cap.clear();
        self.stiff.clear();
    }

    /// Make a new state the newest: `cap_row[j] = uᵀ Cap u_j` and `stiff_row[j] = uᵀ K u_j`
    /// against the new state itself (`j = 0`) and the states already held, newest first (at
    /// most `capacity − 1` of them; the oldest beyond the capacity is dropped).
    pub fn push(&mut self, cap_row: &[f64], stiff_row: &[f64]) {
        let m = cap_row.len().min(stiff_row.len()).min(self.len() + 1).min(self.capacity);
        if m == 0 {
            return;
        }
        let grow = |old: &[Vec<f64>], row: &[f64]| -> Vec<Vec<f64>> {
            (0..m)
                .map(|i| {
                    (0..m)
                        .map(|j| {
                            if i == 0 {
                                row[j]
                            } else if j == 0 {
                                row[i]
                            } else {
                                old[i - 1][j - 1]
                            }
                        })
                        .collect()
                })
                .collect()
        };
        self.cap = grow(&self.cap, cap_row);
        self.stiff = grow(&self.stiff, stiff_row);
    }

    /// `Σ_j a_j C_ij` for each state `i` held: the products `u_iᵀ Cap Σ_j a_j u_j` (`a` over
    /// the states held, newest first; missing trailing coefficients are zero).
    pub fn capacity_products(&self, a: &[f64]) -> Vec<f64> {
        self.cap.iter().map(|row| row.iter().zip(a).map(|(c, aj)| c * aj).sum()).collect()
    }

    /// Coefficients `y` of the projection for the shift `shift` and `f_j = u_jᵀ b` (one per
    /// state held, newest first): the solution of `(shift·C + K) y = f` with the states whose
    /// scaled pivot is below [`PIVOT_MIN`] left out (their coefficient is 0). `None` when no
    /// state can be used.
    pub fn coefficients(&self, shift: f64, f: &[f64]) -> Option<Vec<f64>> {
        let m = self.len().min(f.len());
        let g = |i: usize, j: usize| shift * self.cap[i][j] + self.stiff[i][j];
        let d: Vec<f64> = (0..m).map(|i| g(i, i)).collect();
        let usable = |v: f64| v > 0.0 && v.is_finite();
        // scaled augmented matrix [D^{-1/2} G D^{-1/2} | D^{-1/2} f]; unusable diagonals are
        // left out from the start
        let mut keep: Vec<bool> = d.iter().map(|&v| usable(v)).collect();
        let s: Vec<f64> = d.iter().map(|&v| if usable(v) { 1.0 / v.sqrt() } else { 0.0 }).collect();
        let mut a: Vec<Vec<f64>> =
            (0..m).map(|i| (0..m).map(|j| g(i, j) * s[i] * s[j]).chain([f[i] * s[i]]).collect()).collect();
        for k in 0..m {
            if !keep[k] || a[k][k] < PIVOT_MIN {
                keep[k] = false;
                continue;
            }
            let (upper, lower) = a.split_at_mut(k + 1);
            let pivot = &upper[k];
            for (row, _) in lower.iter_mut().zip(&keep[k + 1..]).filter(|(_, kept)| **kept) {
                let l = row[k] / pivot[k];
                for (x, p) in row[k..].iter_mut().zip(&pivot[k..]) {
                    *x -= l * p;
                }
            }
        }
        let mut y = vec![0.0; m];
        for k in (0..m).rev().filter(|&k| keep[k]) {
            let v = a[k][m] - (k + 1..m).map(|j| a[k][j] * y[j]).sum::<f64>();
            y[k] = v / a[k][k];
        }
        let y: Vec<f64> = y.iter().zip(&s).map(|(v, sc)| v * sc).collect();
        (keep.iter().any(|&k| k) && y.iter().all(|v| v.is_finite())).then_some(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gram rows of `states` (newest first) under the diagonal `cap` and a symmetric `k`.
    fn gram_of(states: &[Vec<f64>], cap: &[f64], k: &[Vec<f64>]) -> StateGram {
        let mut g = StateGram::new(states.len());
        let kx = |x: &[f64]| -> Vec<f64> { k.iter().map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum()).collect() };
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        for n in (0..states.len()).rev() {
            let u = &states[n];
            let cu: Vec<f64> = u.iter().zip(cap).map(|(a, c)| a * c).collect();
            let ku = kx(u);
            let others = &states[n..];
            let crow: Vec<f64> = others.iter().map(|o| dot(o, &cu)).collect();
            let krow: Vec<f64> = others.iter().map(|o| dot(o, &ku)).collect();
            g.push(&crow, &krow);
        }
        g
    }

    fn system() -> (Vec<f64>, Vec<Vec<f64>>) {
        // a 1-D diffusion matrix with a sink at one end: symmetric positive semi-definite K
        let n = 6;
        let mut k = vec![vec![0.0; n]; n];
        for i in 0..n - 1 {
            k[i][i] += 1.0;
            k[i + 1][i + 1] += 1.0;
            k[i][i + 1] -= 1.0;
            k[i + 1][i] -= 1.0;
        }
        k[n - 1][n - 1] += 0.5;
        let cap = vec![1.0, 2.0, 1.5, 1.0, 0.5, 1.0];
        (cap, k)
    }

    #[test]
    fn a_state_in_the_span_is_reproduced_exactly() {
        let (cap, k) = system();
        let states = vec![
            vec![1.0, 0.8, 0.5, 0.3, 0.1, 0.0],
            vec![1.0, 0.5, 0.2, 0.1, 0.0, 0.0],
            vec![0.2, 0.4, 0.6, 0.4, 0.2, 0.1],
        ];
        let g = gram_of(&states, &cap, &k);
        assert_eq!(g.len(), 3);
        let shift = 0.7;
        // b = M x with x = 2 u_1 − u_2 + 0.5 u_3
        let coef = [2.0, -1.0, 0.5];
        let x: Vec<f64> = (0..6).map(|i| (0..3).map(|j| coef[j] * states[j][i]).sum()).collect();
        let b: Vec<f64> = (0..6).map(|i| shift * cap[i] * x[i] + (0..6).map(|j| k[i][j] * x[j]).sum::<f64>()).collect();
        let f: Vec<f64> = states.iter().map(|u| u.iter().zip(&b).map(|(a, c)| a * c).sum()).collect();
        let y = g.coefficients(shift, &f).expect("three independent states");
        for (got, want) in y.iter().zip(coef) {
            assert!((got - want).abs() < 1e-12, "{y:?}");
        }
    }

    #[test]
    fn a_dependent_state_is_left_out_and_the_projection_stays_finite() {
        let (cap, k) = system();
        let u = vec![1.0, 0.8, 0.5, 0.3, 0.1, 0.0];
        let twice: Vec<f64> = u.iter().map(|v| 2.0 * v).collect();
        let states = vec![u.clone(), twice, vec![0.2, 0.4, 0.6, 0.4, 0.2, 0.1]];
        let g = gram_of(&states, &cap, &k);
        let shift = 1.3;
        let b: Vec<f64> = (0..6).map(|i| shift * cap[i] * u[i] + (0..6).map(|j| k[i][j] * u[j]).sum::<f64>()).collect();
        let f: Vec<f64> = states.iter().map(|s| s.iter().zip(&b).map(|(a, c)| a * c).sum()).collect();
        let y = g.coefficients(shift, &f).expect("two usable states");
        // the newest state is kept, its double (newer elimination order: second) is dropped
        assert!((y[0] - 1.0).abs() < 1e-12 && y[1] == 0.0 && y[2].abs() < 1e-12, "{y:?}");
    }

    #[test]
    fn pushing_beyond_the_capacity_drops_the_oldest_state() {
        let mut g = StateGram::new(2);
        g.push(&[1.0], &[10.0]);
        g.push(&[2.0, 0.5], &[20.0, 5.0]);
        g.push(&[3.0, 0.7, 9.0], &[30.0, 7.0, 90.0]);
        assert_eq!(g.len(), 2);
        // newest (3) then the previous newest (2); the oldest (1) is gone
        assert_eq!(g.cap, vec![vec![3.0, 0.7], vec![0.7, 2.0]]);
        assert_eq!(g.stiff, vec![vec![30.0, 7.0], vec![7.0, 20.0]]);
        g.clear();
        assert!(g.is_empty() && g.coefficients(1.0, &[]).is_none());
    }
}
