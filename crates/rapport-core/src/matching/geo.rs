//! Distances on Earth and the grid that finds in-person candidates without scanning everyone.

use super::fxhash::FxHashMap;
use std::mem::size_of;

/// Mean Earth radius (IUGG), the radius the matching rules name.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km between two points in degrees (haversine), the one distance every
/// part of matching uses so filters, scores and the oracle agree to the last bit.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Origin::new(lat1, lon1).km(lat2, lon2)
}

/// [`haversine_km`] from one fixed point, with the terms that depend only on that point worked
/// out once. It is the same formula with the same operations in the same order, so it gives the
/// same bits; a query measures thousands of listings from its one location.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    lon: f64,
    p1: f64,
    cos_p1: f64,
}

impl Origin {
    pub fn new(lat: f64, lon: f64) -> Self {
        let p1 = lat.to_radians();
        Self {
            lon,
            p1,
            cos_p1: p1.cos(),
        }
    }

    /// Great-circle distance in km from the origin to a point in degrees.
    pub fn km(&self, lat: f64, lon: f64) -> f64 {
        let p2 = lat.to_radians();
        let dp = p2 - self.p1;
        let dl = (lon - self.lon).to_radians();
        let h = (dp / 2.0).sin().powi(2) + self.cos_p1 * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }
}

/// The cell size: small enough that the cells straddling a circle's edge, whose listings must
/// each be measured, hold few of them; large enough that a circle of 50 km is a few hundred.
const CELL_DEG: f64 = 0.05;
const LON_CELLS: i64 = (360.0 / CELL_DEG) as i64;
/// Past this many cells (a box some 1,400 km across at mid latitudes), scanning the in-person
/// listings is cheaper.
const MAX_CELLS: i64 = 80_000;
const SLACK_DEG: f64 = 1e-6;
/// How far outside its cell's bounds rounding may have put a point (far more than it can).
const PAD_DEG: f64 = 1e-7;
/// Room for the rounding of computed distances when placing a cell against a circle.
const MARGIN_KM: f64 = 1e-6;

/// Listing slots bucketed by 0.05° cells; a query visits only the cells a circle can touch.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    cells: FxHashMap<(i32, i32), Vec<Spot>>,
}

/// A listing in the grid: its slot, and where it is as a point on the unit sphere in single
/// precision, enough for [`Reach`] to tell most listings in or out of a circle without
/// trigonometry (or reading the listing's row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spot {
    pub slot: u32,
    xyz: [f32; 3],
}

fn unit(lat: f64, lon: f64) -> [f64; 3] {
    let (p, l) = (lat.to_radians(), lon.to_radians());
    [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
}

impl Spot {
    pub fn new(lat: f64, lon: f64, slot: u32) -> Self {
        Spot {
            slot,
            xyz: unit(lat, lon).map(|c| c as f32),
        }
    }
}

/// Whether a [`Spot`] is within a distance of a point, told from the straight-line (chord)
/// distance through the sphere, compared with the chords of the distance less and more a
/// margin of [`REACH_MARGIN_KM`].
///
/// Rounding each coordinate to single precision moves a point by at most √3·2⁻²⁵ of the
/// radius, which changes the chord as much and, for angles up to 90°, the arc by at most √2
/// times that: under a metre. Every other rounding here and in [`haversine_km`] is smaller
/// by many orders, so a listing whose chord is below the lower one is certainly within the
/// distance as [`haversine_km`] computes it, and above the upper one certainly beyond; only
/// listings within the margin of the edge must be measured.
pub(crate) struct Reach {
    origin: [f64; 3],
    /// Squared chords below which a spot is certainly within, above which certainly beyond.
    within: f64,
    beyond: f64,
}

/// Ten metres: over ten times what single precision can move a point.
const REACH_MARGIN_KM: f64 = 0.01;

impl Reach {
    /// The test for the circle, or `None` when it is too large for it (arcs past 90°).
    pub fn new(lat: f64, lon: f64, radius_km: f64) -> Option<Self> {
        let chord = |km: f64| (2.0 * (km.max(0.0) / (2.0 * EARTH_RADIUS_KM)).sin()).powi(2);
        let far = radius_km + REACH_MARGIN_KM;
        (far / EARTH_RADIUS_KM < std::f64::consts::FRAC_PI_2).then(|| Reach {
            origin: unit(lat, lon),
            within: if radius_km > REACH_MARGIN_KM {
                chord(radius_km - REACH_MARGIN_KM)
            } else {
                -1.0
            },
            beyond: chord(far),
        })
    }

    /// `Some(true)` when the spot is certainly within reach, `Some(false)` when certainly
    /// beyond, `None` when it must be measured.
    pub fn test(&self, spot: &Spot) -> Option<bool> {
        let c2: f64 = (spot.xyz.iter().zip(&self.origin))
            .map(|(&a, &o)| (f64::from(a) - o).powi(2))
            .sum();
        if c2 < self.within {
            Some(true)
        } else if c2 > self.beyond {
            Some(false)
        } else {
            None
        }
    }
}

fn lat_cell(lat: f64) -> i64 {
    (lat / CELL_DEG).floor() as i64
}

fn lon_cell(lon: f64) -> i64 {
    ((lon / CELL_DEG).floor() as i64 + LON_CELLS / 2).rem_euclid(LON_CELLS) - LON_CELLS / 2
}

/// The grid cell of a point, also used to lay listings out near their neighbours.
pub(crate) fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (lat_cell(lat) as i32, lon_cell(lon) as i32)
}

impl Grid {
    pub fn insert(&mut self, lat: f64, lon: f64, slot: u32) {
        let spot = Spot::new(lat, lon, slot);
        self.cells.entry(cell(lat, lon)).or_default().push(spot);
    }

    /// Adds spots that are all in one cell at once (a bulk build meets its listings grouped by
    /// cell, so this is one map lookup per group instead of one per listing).
    pub fn insert_all(&mut self, cell: (i32, i32), spots: &[Spot]) {
        self.cells.entry(cell).or_default().extend_from_slice(spots);
    }

    pub fn remove(&mut self, lat: f64, lon: f64, slot: u32) {
        let k = cell(lat, lon);
        if let Some(cell) = self.cells.get_mut(&k) {
            cell.retain(|s| s.slot != slot);
            if cell.is_empty() {
                self.cells.remove(&k);
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.cells
            .values()
            .map(|c| c.capacity() * size_of::<Spot>() + 40)
            .sum::<usize>()
            + self.cells.capacity() * 8
    }

    /// Calls `visit` with the spots of every cell that may hold points within `radius_km` of
    /// the centre (a superset; the caller checks the exact distance), nearest cells first.
    /// Returns false, visiting nothing, when the circle is too large or too near a pole for
    /// cells to pay off.
    ///
    /// Each cell is first placed against the circle, so most slots need no distance here:
    /// cells certainly outside are skipped, and `visit` gets a lower bound on the distance of
    /// all points of the cell and whether the cell is certainly inside (if not, it straddles
    /// the edge and the caller must measure). "Certainly" holds for the distances
    /// [`haversine_km`] computes, not just true ones: see [`Grid::spread_km`]. Nearest first
    /// lets a caller keeping the best candidates find the closest early and skip more cells.
    pub fn within(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        mut visit: impl FnMut(&[Spot], f64, bool),
    ) -> bool {
        let delta = radius_km / EARTH_RADIUS_KM;
        let dlat = delta.to_degrees() + SLACK_DEG;
        let (lo, hi) = (lat - dlat, lat + dlat);
        if lo <= -89.0 || hi >= 89.0 {
            return false;
        }
        let widest = lo.abs().max(hi.abs()).to_radians().cos();
        let s = (delta / 2.0).sin() / widest;
        if s >= 0.99 {
            return false;
        }
        let dlon = (2.0 * s.asin()).to_degrees() + SLACK_DEG;
        let (y0, y1) = (lat_cell(lo), lat_cell(hi));
        let x0 = ((lon - dlon) / CELL_DEG).floor() as i64;
        let x1 = ((lon + dlon) / CELL_DEG).floor() as i64;
        if x1 - x0 + 1 >= LON_CELLS || (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_CELLS {
            return false;
        }
        let origin = Origin::new(lat, lon);
        let margin = MARGIN_KM + radius_km * 1e-9;
        let mut cells = Vec::new();
        for y in y0..=y1 {
            let spread = Self::spread_km(y);
            for x in x0..=x1 {
                let wrapped = (x + LON_CELLS / 2).rem_euclid(LON_CELLS) - LON_CELLS / 2;
                let Some(cell) = self.cells.get(&(y as i32, wrapped as i32)) else {
                    continue;
                };
                let centre = origin.km(
                    (y as f64 + 0.5) * CELL_DEG,
                    (wrapped as f64 + 0.5) * CELL_DEG,
                );
                let nearest = centre - spread - margin;
                if nearest > radius_km {
                    continue;
                }
                let inside = centre + spread + margin <= radius_km;
                cells.push((nearest.max(0.0), inside, cell.as_slice()));
            }
        }
        cells.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        for (nearest, inside, slots) in cells {
            visit(slots, nearest, inside);
        }
        true
    }

    /// At most how far (km) any point of a cell in row `y` is from the cell's centre.
    ///
    /// From the centre to a point, go along the meridian to the point's latitude (at most half
    /// a cell's height), then along that parallel to the point (at most half its width, times
    /// the cosine of the latitude, largest on the cell's edge nearer the equator); a parallel
    /// is never shorter than the great circle, so the sum bounds the distance. The cell is
    /// padded by [`PAD_DEG`] for points that rounding put in it. The triangle inequality
    /// then bounds every point's distance from the client by the centre's, plus or minus
    /// this; [`MARGIN_KM`] covers the rounding of the computed distances themselves (far
    /// below a millimetre).
    fn spread_km(y: i64) -> f64 {
        let (south, north) = (y as f64 * CELL_DEG, (y + 1) as f64 * CELL_DEG);
        let equatorward = if south <= 0.0 && north >= 0.0 {
            0.0
        } else {
            south.abs().min(north.abs()) - PAD_DEG
        };
        let half = (CELL_DEG / 2.0 + PAD_DEG).to_radians();
        EARTH_RADIUS_KM * (half + equatorward.to_radians().cos() * half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The point `km` from (`lat`, `lon`) on a bearing (the spherical destination formula).
    fn towards(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
        let (p, d) = (lat.to_radians(), km / EARTH_RADIUS_KM);
        let q = (p.sin() * d.cos() + p.cos() * d.sin() * bearing.cos()).asin();
        let l = lon.to_radians()
            + (bearing.sin() * d.sin() * p.cos()).atan2(d.cos() - p.sin() * q.sin());
        (
            q.to_degrees(),
            (l.to_degrees() + 540.0).rem_euclid(360.0) - 180.0,
        )
    }

    #[test]
    fn reach_never_contradicts_the_haversine_distance_and_mostly_needs_none() {
        let mut state = 0x1234_5678_u64;
        let mut unit = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut told, mut asked) = (0, 0);
        for _ in 0..2_000 {
            let (lat, lon) = (unit() * 170.0 - 85.0, unit() * 360.0 - 180.0);
            let radius = [0.005, 0.5, 3.0, 25.0, 50.0, 3_000.0][(unit() * 6.0) as usize];
            let reach = Reach::new(lat, lon, radius).expect("a circle under 90°");
            for k in 0..60 {
                // Half the points within metres of the edge, half anywhere out to twice it.
                let km = if k % 2 == 0 {
                    (radius + (unit() - 0.5) * 0.06).max(0.0)
                } else {
                    unit() * 2.0 * radius
                };
                let (plat, plon) = towards(lat, lon, km, unit() * std::f64::consts::TAU);
                let within = haversine_km(lat, lon, plat, plon) <= radius;
                asked += 1;
                if let Some(said) = reach.test(&Spot::new(plat, plon, 0)) {
                    assert_eq!(said, within, "{lat} {lon} r={radius} to {plat} {plon}");
                    told += 1;
                }
            }
        }
        // Only points within the margin of the edge go unanswered.
        assert!(told * 10 > asked * 6, "{told} of {asked}");
    }

    #[test]
    fn reach_refuses_circles_past_a_quarter_of_the_earth() {
        assert!(Reach::new(0.0, 0.0, 9_000.0).is_some());
        assert!(Reach::new(0.0, 0.0, 10_100.0).is_none());
    }
}
