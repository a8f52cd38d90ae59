//! Distances on Earth and the grid that finds in-person candidates without scanning everyone.

use super::fxhash::FxHashMap;

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

const CELL_DEG: f64 = 0.1;
const LON_CELLS: i64 = 3600;
const MAX_CELLS: i64 = 20_000;
const SLACK_DEG: f64 = 1e-6;
/// How far outside its cell's bounds rounding may have put a point (far more than it can).
const PAD_DEG: f64 = 1e-7;
/// Room for the rounding of computed distances when placing a cell against a circle.
const MARGIN_KM: f64 = 1e-6;

/// Listing slots bucketed by 0.1° cells; a query visits only the cells a circle can touch.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    cells: FxHashMap<(i32, i32), Vec<u32>>,
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
        self.cells.entry(cell(lat, lon)).or_default().push(slot);
    }

    /// Adds slots that are all in one cell at once (a bulk build meets its listings grouped by
    /// cell, so this is one map lookup per group instead of one per listing).
    pub fn insert_all(&mut self, cell: (i32, i32), slots: &[u32]) {
        self.cells.entry(cell).or_default().extend_from_slice(slots);
    }

    pub fn remove(&mut self, lat: f64, lon: f64, slot: u32) {
        let k = cell(lat, lon);
        if let Some(cell) = self.cells.get_mut(&k) {
            cell.retain(|s| *s != slot);
            if cell.is_empty() {
                self.cells.remove(&k);
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.cells
            .values()
            .map(|c| c.capacity() * 4 + 40)
            .sum::<usize>()
            + self.cells.capacity() * 8
    }

    /// Calls `visit` for every slot in cells that may hold points within `radius_km` of the
    /// centre (a superset; the caller checks the exact distance). Returns false, visiting
    /// nothing, when the circle is too large or too near a pole for cells to pay off.
    ///
    /// Each cell is first placed against the circle, so most slots need no distance here:
    /// cells certainly outside are skipped, and for a cell certainly inside, `visit` gets a
    /// lower bound on the distance of all its points (`Some(km)`); `None` means the cell
    /// straddles the edge and the caller must measure. "Certainly" holds for the distances
    /// [`haversine_km`] computes, not just true ones: see [`Grid::spread_km`].
    pub fn within(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        mut visit: impl FnMut(u32, Option<f64>),
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
                let inside = (centre + spread + margin <= radius_km).then_some(nearest);
                cell.iter().for_each(|&slot| visit(slot, inside));
            }
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
