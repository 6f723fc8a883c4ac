//! Cell faces: depth faces on every layer boundary, graded below the channel tips; radial faces
//! of a unit cell; lateral faces of a patch, fine on the holes and graded between them.

use super::{Hole, Layer, Resolution};

/// Cell sizes of a [`Resolution`].
pub(super) struct Sizes {
    pub(super) max_dz: f64,
    pub(super) min_cells: usize,
    pub(super) lateral: f64,
    pub(super) lateral_max: f64,
    pub(super) n_radius: Option<usize>,
}

impl Resolution {
    pub(super) fn params(&self) -> Sizes {
        // named resolutions: lateral cells of a patch grow up to Z_STRETCH_MAX·max(Δz_max,
        // lateral), the cap of the depth cells below the channels (numerical choice: with the
        // projected CG guesses the wider cells cost few iterations, `docs/models.md` §6)
        let named = |max_dz: f64, min_cells: usize, lateral: f64, n: usize| Sizes {
            max_dz,
            min_cells,
            lateral,
            lateral_max: Z_STRETCH_MAX * max_dz.max(lateral),
            n_radius: Some(n),
        };
        match *self {
            Resolution::Coarse => named(20.0, 4, 10.0, 4),
            Resolution::Normal => named(10.0, 8, 5.0, 8),
            Resolution::Fine => named(5.0, 16, 2.5, 16),
            Resolution::Custom { max_dz_um, min_cells_per_layer, lateral_um, lateral_max_um } => Sizes {
                max_dz: max_dz_um,
                min_cells: min_cells_per_layer,
                lateral: lateral_um,
                lateral_max: lateral_max_um,
                n_radius: None,
            },
        }
    }
}

/// Split [a, b] into cells no larger than `h`, at least `n_min`.
pub(super) fn split(faces: &mut Vec<f64>, a: f64, b: f64, h: f64, n_min: usize) {
    let n = (((b - a) / h).ceil() as usize).max(n_min).max(1);
    for k in 1..=n {
        faces.push(if k == n { b } else { a + (b - a) * k as f64 / n as f64 });
    }
}

/// Depth cells below the channels grow by this factor per cell (numerical choice, the same
/// ratio as the radial cells outside a unit cell's channel).
pub const Z_GROWTH: f64 = 1.15;
/// ... up to this multiple of `Δz_max` (numerical choice: 40 µm at `Normal`; the deep dermis
/// below the channels holds a smooth, cleared field, `docs/models.md` §6).
pub const Z_STRETCH_MAX: f64 = 4.0;
/// Cells of `Δz_max` kept below the deepest channel tip before the growth starts (numerical
/// choice).
pub const Z_TIP_MARGIN_CELLS: f64 = 5.0;

/// Cells a part of length `len` of a layer of thickness `thickness` gets out of the layer's
/// `min_cells` (at least one).
pub(super) fn min_share(min_cells: usize, len: f64, thickness: f64) -> usize {
    ((min_cells as f64 * len / thickness).ceil() as usize).max(1)
}

/// Depth faces: each layer (split at `extra`, the channel depth of a unit cell) in equal cells
/// no larger than `max_dz`, at least `min_cells` per layer; from [`Z_TIP_MARGIN_CELLS`]·`max_dz`
/// below `tip` (the deepest channel tip, `None` for no stretching) the cells grow by
/// [`Z_GROWTH`] up to [`Z_STRETCH_MAX`]·`max_dz`, still ending on every layer boundary.
pub(super) fn z_faces(
    layers: &[Layer],
    extra: Option<f64>,
    tip: Option<f64>,
    max_dz: f64,
    min_cells: usize,
) -> Vec<f64> {
    let mut f = vec![0.0];
    let mut z = 0.0;
    for l in layers {
        let z1 = z + l.thickness_um;
        match extra {
            Some(e) if e > z && e < z1 => {
                let m = |len: f64| min_share(min_cells, len, l.thickness_um);
                split(&mut f, z, e, max_dz, m(e - z));
                split(&mut f, e, z1, max_dz, m(z1 - e));
            }
            _ => split(&mut f, z, z1, max_dz, min_cells),
        }
        z = z1;
    }
    let Some(zs) = tip.map(|t| t + Z_TIP_MARGIN_CELLS * max_dz) else { return f };
    // keep the uniform faces down to the first one at or below `zs`, then regrow each
    // remaining layer segment
    let Some(ks) = f.iter().position(|&v| v >= zs).filter(|&k| k > 0 && k + 1 < f.len()) else { return f };
    let mut bounds = Vec::new();
    let mut zb = 0.0;
    for l in layers {
        zb += l.thickness_um;
        if zb > f[ks] {
            bounds.push((zb, l.thickness_um));
        }
    }
    let mut h = f[ks] - f[ks - 1];
    f.truncate(ks + 1);
    let cap = Z_STRETCH_MAX * max_dz;
    for (b, thickness) in bounds {
        let a = f[f.len() - 1];
        let len = b - a;
        // geometric sizes until the segment is covered, then all scaled to end on `b`
        let mut sizes = Vec::new();
        let mut sum = 0.0;
        while sum < len {
            h = (h * Z_GROWTH).min(cap).max(max_dz);
            sizes.push(h);
            sum += h;
        }
        if sizes.len() > 1 && sum - len > 0.5 * h {
            sum -= sizes.pop().unwrap_or(0.0);
        }
        let n_min = min_share(min_cells, len, thickness);
        if sizes.len() < n_min {
            split(&mut f, a, b, max_dz, n_min);
            h = len / n_min as f64;
            continue;
        }
        let scale = len / sum;
        let mut zc = a;
        let n = sizes.len();
        for (i, s) in sizes.iter().enumerate() {
            zc += s * scale;
            f.push(if i + 1 == n { b } else { zc });
        }
        h = sizes[n - 1] * scale;
    }
    f
}

/// Lateral cells of a patch grow by this factor per cell away from the holes (numerical choice,
/// the ratio of the unit cell's radial cells outside the channel).
pub const LATERAL_GROWTH: f64 = 1.15;
/// Cells of the finest lateral size kept around each hole's bounding box before the growth
/// starts (numerical choice).
pub const LATERAL_MARGIN_CELLS: f64 = 2.0;

/// Sizes of `len` in cells growing by [`LATERAL_GROWTH`] from `h` up to `cap`: from the
/// start towards the end (`both = false`), or from both ends towards the middle. The sizes
/// are scaled so that they sum to `len` exactly.
pub(super) fn graded_sizes(len: f64, h: f64, cap: f64, both: bool) -> Vec<f64> {
    if len <= 2.0 * h {
        let n = ((len / h).ceil() as usize).max(1);
        return vec![len / n as f64; n];
    }
    let target = if both { 0.5 * len } else { len };
    let (mut sizes, mut sum, mut s) = (Vec::new(), 0.0, h);
    while sum < target {
        s = (s * LATERAL_GROWTH).min(cap).max(h);
        sizes.push(s);
        sum += s;
    }
    // drop a last cell that overshoots by more than half, unless the others would then
    // stretch to more than 1.1× the cap
    if sizes.len() > 1 && sum - target > 0.5 * s && (sum - s) * 1.1 * cap >= target * s {
        sum -= sizes.pop().unwrap_or(0.0);
    }
    if both {
        let half = sizes.clone();
        sizes.extend(half.iter().rev());
        sum *= 2.0;
    }
    let scale = len / sum;
    sizes.iter().map(|v| v * scale).collect()
}

/// Faces of one lateral axis of a patch, `[0, extent]`: cells of at most `h` on the `bands`
/// (around the holes), growing by [`LATERAL_GROWTH`] up to `cap` between them and towards
/// the window's edges. Equal cells of `h` when `cap <= h`.
pub(super) fn lateral_faces(extent: f64, bands: &[(f64, f64)], h: f64, cap: f64) -> Vec<f64> {
    let mut f = vec![0.0];
    if cap <= h {
        split(&mut f, 0.0, extent, h, 1);
        return f;
    }
    let mut merged: Vec<(f64, f64)> = Vec::new();
    let mut sorted: Vec<(f64, f64)> =
        bands.iter().map(|&(a, b)| (a.max(0.0), b.min(extent))).filter(|(a, b)| a < b).collect();
    sorted.sort_by(|x, y| x.0.total_cmp(&y.0));
    for (a, b) in sorted {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 2.0 * h => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    if merged.is_empty() {
        split(&mut f, 0.0, extent, cap, 1);
        return f;
    }
    let push_sizes = |f: &mut Vec<f64>, sizes: &[f64], end: f64| {
        let mut x = f[f.len() - 1];
        for (i, s) in sizes.iter().enumerate() {
            x += s;
            f.push(if i + 1 == sizes.len() { end } else { x });
        }
    };
    for (i, &(a, b)) in merged.iter().enumerate() {
        let x = f[f.len() - 1];
        if a > x {
            let mut sizes = graded_sizes(a - x, h, cap, i > 0);
            if i == 0 {
                sizes.reverse(); // grow from the band towards the edge
            }
            push_sizes(&mut f, &sizes, a);
        }
        split(&mut f, a, b, h, 1);
    }
    let x = f[f.len() - 1];
    if extent > x {
        push_sizes(&mut f, &graded_sizes(extent - x, h, cap, false), extent);
    }
    f
}

/// The finest lateral cell of a patch: `lateral`, or half the narrowest hole (µm).
pub(super) fn patch_lateral_um(holes: &[Hole], lateral: f64) -> f64 {
    let min_w = holes.iter().map(|h| h.width_um).fold(f64::INFINITY, f64::min);
    lateral.min(0.5 * min_w)
}

/// The x and y faces of a patch: cells of `h` over every hole's bounding box widened by
/// [`LATERAL_MARGIN_CELLS`], growing up to `cap` elsewhere ([`lateral_faces`]).
pub(super) fn patch_lateral_faces(wx: f64, wy: f64, holes: &[Hole], h: f64, cap: f64) -> (Vec<f64>, Vec<f64>) {
    let margin = LATERAL_MARGIN_CELLS * h;
    let (bx, by): (Vec<_>, Vec<_>) = holes
        .iter()
        .map(|o| {
            let (ex, ey) = hole_half_extents(o);
            let (ex, ey) = (ex + margin, ey + margin);
            ((o.x_um - ex, o.x_um + ex), (o.y_um - ey, o.y_um + ey))
        })
        .unzip();
    (lateral_faces(wx, &bx, h, cap), lateral_faces(wy, &by, h, cap))
}

/// Half extents `(along x, along y)` of a hole's bounding box (µm).
pub(super) fn hole_half_extents(h: &Hole) -> (f64, f64) {
    let th = h.direction_deg.to_radians();
    let half_seg = 0.5 * (h.length_um - h.width_um).max(0.0);
    (th.cos().abs() * half_seg + 0.5 * h.width_um, th.sin().abs() * half_seg + 0.5 * h.width_um)
}

pub(super) fn r_faces(a: f64, big_r: f64, n_a: usize, h_max: f64) -> Vec<f64> {
    let mut f = vec![0.0];
    split(&mut f, 0.0, a, a / n_a as f64, n_a);
    // geometric growth outside (ratio 1.15, numerical choice) up to h_max
    let mut h = a / n_a as f64;
    let mut r = a;
    loop {
        h = (h * 1.15).min(h_max.max(a / n_a as f64));
        if r + 1.5 * h >= big_r {
            f.push(big_r);
            break;
        }
        r += h;
        f.push(r);
    }
    f
}

pub(super) fn in_hole(h: &Hole, x: f64, y: f64) -> bool {
    let th = h.direction_deg.to_radians();
    let (c, s) = (th.cos(), th.sin());
    let (dx, dy) = (x - h.x_um, y - h.y_um);
    let along = dx * c + dy * s;
    let across = -dx * s + dy * c;
    let half_seg = 0.5 * (h.length_um - h.width_um).max(0.0);
    let a = along.clamp(-half_seg, half_seg);
    let (ex, ey) = (along - a, across);
    ex * ex + ey * ey <= 0.25 * h.width_um * h.width_um
}
