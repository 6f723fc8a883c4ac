//! Statistics of the puncture pattern: distinct holes, coverage, spacing.
//!
//! A puncture is a re-puncture of an existing hole when its centre falls inside the opening of
//! that hole's first puncture (centre distance below half the wider of the two widths). Coverage is the fraction of the window covered
//! by at least one opening (each opening an ellipse of its width and length, oriented along its
//! direction of travel), counted on a raster. Spacing is the mean distance from each distinct
//! hole to its nearest neighbour.

use serde::Serialize;

use crate::channels::Channel;

/// Pattern statistics of a window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatternStats {
    /// Punctures in the window.
    pub punctures: usize,
    /// Distinct holes in the window (re-punctures merged).
    pub distinct_holes: usize,
    /// Hole index of every puncture (same order as the channels).
    pub hole_of: Vec<u32>,
    /// Fraction of the window covered by openings, 0-1.
    pub coverage_fraction: f64,
    /// Mean nearest-neighbour spacing of distinct holes, µm (None with fewer than 2 holes).
    pub nearest_neighbour_um: Option<f64>,
}

/// A uniform bucket grid over the window.
struct Grid {
    cell: f64,
    n: usize,
    buckets: Vec<Vec<u32>>,
}

impl Grid {
    fn new(window_um: f64, cell: f64, points: impl Iterator<Item = (f64, f64)>) -> Grid {
        let n = ((window_um / cell).ceil() as usize).clamp(1, 4096);
        let cell = window_um / n as f64;
        let mut buckets = vec![Vec::new(); n * n];
        for (i, (x, y)) in points.enumerate() {
            let (cx, cy) = (Self::idx(x, cell, n), Self::idx(y, cell, n));
            buckets[cy * n + cx].push(i as u32);
        }
        Grid { cell, n, buckets }
    }
    fn idx(v: f64, cell: f64, n: usize) -> usize {
        ((v / cell).floor().max(0.0) as usize).min(n - 1)
    }
    /// Indices in the cells within `r` cells of the point's cell.
    fn around(&self, x: f64, y: f64, r: usize) -> impl Iterator<Item = u32> + '_ {
        let (cx, cy) = (Self::idx(x, self.cell, self.n), Self::idx(y, self.cell, self.n));
        let (x0, x1) = (cx.saturating_sub(r), (cx + r).min(self.n - 1));
        let (y0, y1) = (cy.saturating_sub(r), (cy + r).min(self.n - 1));
        (y0..=y1).flat_map(move |j| (x0..=x1).flat_map(move |i| self.buckets[j * self.n + i].iter().copied()))
    }
}

/// Computes the statistics of a window of side `window_um`.
pub fn analyse(channels: &[Channel], window_um: f64) -> PatternStats {
    let n = channels.len();
    if n == 0 {
        return PatternStats {
            punctures: 0,
            distinct_holes: 0,
            hole_of: Vec::new(),
            coverage_fraction: 0.0,
            nearest_neighbour_um: None,
        };
    }
    // A puncture whose centre falls inside the opening of an earlier hole's first puncture
    // re-enters that hole; otherwise it founds a new one. Founders only, no chaining, so a
    // dense pattern does not collapse into one "hole".
    let max_w = channels.iter().map(|c| c.width_um).fold(1.0, f64::max);
    let cells = ((window_um / max_w).ceil() as usize).clamp(1, 4096);
    let cell = window_um / cells as f64;
    let idx = |v: f64| ((v / cell).floor().max(0.0) as usize).min(cells - 1);
    let mut founders: Vec<Vec<u32>> = vec![Vec::new(); cells * cells];
    let mut hole_of = Vec::with_capacity(n);
    let mut sums: Vec<(f64, f64, f64)> = Vec::new();
    for c in channels {
        let (cx, cy) = (idx(c.x_um), idx(c.y_um));
        let mut found = None;
        'search: for j in cy.saturating_sub(1)..=(cy + 1).min(cells - 1) {
            for i in cx.saturating_sub(1)..=(cx + 1).min(cells - 1) {
                for &h in &founders[j * cells + i] {
                    let f = &channels[sums[h as usize].2 as usize];
                    let r = 0.5 * f.width_um.max(c.width_um);
                    if (c.x_um - f.x_um).powi(2) + (c.y_um - f.y_um).powi(2) < r * r {
                        found = Some(h);
                        break 'search;
                    }
                }
            }
        }
        let h = match found {
            Some(h) => h,
            None => {
                let h = sums.len() as u32;
                // (x, y, index of the founding puncture)
                sums.push((c.x_um, c.y_um, hole_of.len() as f64));
                founders[cy * cells + cx].push(h);
                h
            }
        };
        hole_of.push(h);
    }
    let centres: Vec<(f64, f64)> = sums.iter().map(|s| (s.0, s.1)).collect();
    PatternStats {
        punctures: n,
        distinct_holes: centres.len(),
        hole_of,
        coverage_fraction: coverage(channels, window_um),
        nearest_neighbour_um: nearest_neighbour(&centres, window_um),
    }
}

fn nearest_neighbour(centres: &[(f64, f64)], window_um: f64) -> Option<f64> {
    if centres.len() < 2 {
        return None;
    }
    let spacing = window_um / (centres.len() as f64).sqrt();
    let grid = Grid::new(window_um, spacing, centres.iter().copied());
    let mut total = 0.0;
    for (i, &(x, y)) in centres.iter().enumerate() {
        let mut r = 1;
        let best = loop {
            let best = grid
                .around(x, y, r)
                .filter(|&j| j as usize != i)
                .map(|j| {
                    let (u, v) = centres[j as usize];
                    ((u - x).powi(2) + (v - y).powi(2)).sqrt()
                })
                .fold(f64::INFINITY, f64::min);
            // A neighbour found within r cells is the nearest only if it is closer than the
            // ring not yet searched.
            if best <= r as f64 * grid.cell || r >= grid.n {
                break best;
            }
            r += 1;
        };
        total += best;
    }
    Some(total / centres.len() as f64)
}

/// Raster cells for coverage at most (keeps memory to a few tens of MB).
const MAX_COVERAGE_CELLS: f64 = 16.0e6;

fn coverage(channels: &[Channel], window_um: f64) -> f64 {
    let min_w = channels.iter().map(|c| c.width_um).fold(f64::INFINITY, f64::min).max(0.5);
    let mut h = (min_w / 3.0).clamp(1.0, 10.0);
    if (window_um / h).powi(2) > MAX_COVERAGE_CELLS {
        h = window_um / MAX_COVERAGE_CELLS.sqrt();
    }
    let n = (window_um / h).ceil() as usize;
    let mut covered = vec![false; n * n];
    for c in channels {
        let (a, b) = (0.5 * c.length_um, 0.5 * c.width_um);
        let th = c.direction_deg.to_radians();
        let (ct, st) = (th.cos(), th.sin());
        let ext = a.max(b);
        let i0 = ((c.x_um - ext) / h).floor().max(0.0) as usize;
        let i1 = (((c.x_um + ext) / h).ceil() as usize).min(n);
        let j0 = ((c.y_um - ext) / h).floor().max(0.0) as usize;
        let j1 = (((c.y_um + ext) / h).ceil() as usize).min(n);
        for j in j0..j1 {
            let y = (j as f64 + 0.5) * h - c.y_um;
            for i in i0..i1 {
                let x = (i as f64 + 0.5) * h - c.x_um;
                let u = x * ct + y * st;
                let v = -x * st + y * ct;
                if (u / a).powi(2) + (v / b).powi(2) <= 1.0 {
                    covered[j * n + i] = true;
                }
            }
        }
    }
    covered.iter().filter(|&&c| c).count() as f64 / (n * n) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skin::Layer;

    fn ch(x: f64, y: f64, w: f64) -> Channel {
        Channel {
            x_um: x,
            y_um: y,
            depth_um: 100.0,
            width_um: w,
            length_um: w,
            direction_deg: 0.0,
            tilt_deg: 0.0,
            layer: Layer::ViableEpidermis,
            bent: false,
            torn: false,
        }
    }

    #[test]
    fn overlapping_punctures_merge() {
        let c = vec![ch(100.0, 100.0, 50.0), ch(120.0, 100.0, 50.0), ch(500.0, 500.0, 50.0)];
        let s = analyse(&c, 1000.0);
        assert_eq!(s.punctures, 3);
        assert_eq!(s.distinct_holes, 2);
        assert_eq!(s.hole_of, vec![0, 0, 1]);
    }

    #[test]
    fn square_lattice_spacing_and_coverage() {
        let mut c = Vec::new();
        for j in 0..10 {
            for i in 0..10 {
                c.push(ch(50.0 + 100.0 * i as f64, 50.0 + 100.0 * j as f64, 40.0));
            }
        }
        let s = analyse(&c, 1000.0);
        assert_eq!(s.distinct_holes, 100);
        assert!((s.nearest_neighbour_um.unwrap() - 100.0).abs() < 1e-9);
        let expected = 100.0 * std::f64::consts::PI * 20.0 * 20.0 / 1e6;
        assert!((s.coverage_fraction - expected).abs() / expected < 0.05, "{}", s.coverage_fraction);
    }
}
