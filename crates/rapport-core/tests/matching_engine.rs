//! The engine held to the naive oracle on generated directories: property tests, edits after the
//! build, the shortcuts that only matter at scale, and the timing run behind the README's figures.

mod matching_support;

use matching_support::*;

mod engine {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_generator_is_deterministic_and_its_listings_are_valid() {
        let a = generate(500, 42);
        assert_eq!(a, generate(500, 42));
        assert_ne!(a, generate(500, 43));
        for l in &a {
            assert_eq!(
                &parse_listing(&serde_json::to_value(l).unwrap()).unwrap(),
                l
            );
        }
        let accepting = a.iter().filter(|l| l.accepting).count();
        assert!((400..=490).contains(&accepting), "{accepting}");
        let reqs = generate_requests(50, 9, &a);
        assert_eq!(reqs, generate_requests(50, 9, &a));
        for r in &reqs {
            assert_eq!(
                &parse_request(&serde_json::to_value(r).unwrap()).unwrap(),
                r
            );
        }
        let index = Index::build(a);
        let found = reqs
            .iter()
            .filter(|r| index.search(r).total_eligible > 0)
            .count();
        assert!(found > 25, "{found} of 50 requests found someone");
    }

    #[test]
    fn upsert_replaces_and_remove_forgets_without_a_rebuild() {
        let mut index = Index::build(listings(&[
            therapist("a", json!({})),
            therapist("b", json!({})),
        ]));
        assert_eq!(index.len(), 2);
        index.upsert(parse_listing(&therapist("a", json!({"accepting": false}))).unwrap());
        assert_eq!(index.len(), 2);
        let req = parse_request(&request(json!({}))).unwrap();
        assert_eq!(ids(&index.search(&req)), ["b"]);
        assert!(index.remove("b"));
        assert!(!index.remove("b"));
        assert_eq!(index.search(&req).total_eligible, 0);
        index.upsert(parse_listing(&therapist("c", json!({}))).unwrap());
        assert_eq!(ids(&index.search(&req)), ["c"]);
        assert_eq!(index.len(), 2);
        assert!(index.approx_bytes_per_listing() > 0);
    }

    /// An index built empty has no fee thresholds to lean on (every budget is checked row by
    /// row) and gets all its sets from upserts; it still agrees with the oracle.
    #[test]
    fn an_index_built_empty_and_filled_by_upserts_agrees_with_the_oracle() {
        let dir = generate(600, 31);
        let mut index = Index::build(Vec::new());
        for l in &dir {
            index.upsert(l.clone());
        }
        assert_eq!(index.len(), dir.len());
        for (n, mut req) in generate_requests(40, 8, &dir).into_iter().enumerate() {
            req.top = 1 + n % 6;
            if req.budget.is_none() && n % 2 == 0 {
                let fee = &dir[n * 13 % dir.len()].fee;
                req.budget = Some(rapport_core::matching::Money {
                    amount: fee.amount,
                    currency: fee.currency,
                });
            }
            assert_same(
                &index.search(&req),
                &naive::search(&dir, &req, &Weights::default()),
            );
        }
    }

    /// The bulk build keeps the last of listings sharing an id, in that listing's place among
    /// the others; edits afterwards go through the one-by-one path on the bulk-built index.
    #[test]
    fn a_build_with_repeated_ids_then_edits_agrees_with_the_oracle() {
        let mut given = generate(1500, 21);
        for k in 0..200usize {
            let mut again = generate(1, 500 + k as u64).remove(0);
            again.id = given[(k * 37) % 1500].id.clone();
            given.push(again);
        }
        let index = Index::build(given.clone());
        let mut dir: Vec<Listing> = Vec::new();
        for l in given {
            match dir.iter_mut().find(|d| d.id == l.id) {
                Some(d) => *d = l,
                None => dir.push(l),
            }
        }
        assert_eq!(index.len(), dir.len());
        let mut index = index;
        edit_alike(&mut dir, &mut index, 150, 9_000, "late");
        assert_eq!(index.len(), dir.len());
        for (n, mut req) in generate_requests(60, 5, &dir).into_iter().enumerate() {
            req.top = 1 + n % 7;
            if n % 2 == 0 {
                req.max_distance_km = Some(50.0);
            }
            assert_same(
                &index.search(&req),
                &naive::search(&dir, &req, &Weights::default()),
            );
        }
    }

    fn vary(req: &mut Request, knob: u8) {
        match knob % 6 {
            0 => req.top = 1 + usize::from(knob) % 4,
            1 => req.max_distance_km = Some(3000.0),
            2 => req.formats = vec![rapport_core::matching::Format::InPerson],
            3 => req.jurisdiction = None,
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn the_index_returns_exactly_what_the_naive_rules_return(
            seed in any::<u64>(),
            count in 50usize..300,
            edits in proptest::collection::vec((any::<bool>(), any::<u16>(), any::<u64>()), 0..40),
            req_seed in any::<u64>(),
            knobs in proptest::collection::vec(any::<u8>(), 12),
            custom in any::<bool>(),
        ) {
            let mut dir = generate(count, seed);
            let mut index = Index::build(dir.clone());
            for (remove, pick, s) in edits {
                let at = usize::from(pick) % dir.len().max(1);
                if remove && !dir.is_empty() {
                    let gone = dir.swap_remove(at);
                    prop_assert!(index.remove(&gone.id));
                } else {
                    let mut fresh = generate(1, s).remove(0);
                    match dir.get(at) {
                        Some(old) if s % 2 == 0 => {
                            fresh.id = old.id.clone();
                            dir[at] = fresh.clone();
                        }
                        _ => {
                            fresh.id = format!("n-{s:020}");
                            if dir.iter().any(|l| l.id == fresh.id) { continue; }
                            dir.push(fresh.clone());
                        }
                    }
                    index.upsert(fresh);
                }
            }
            prop_assert_eq!(index.len(), dir.len());
            let w = if custom {
                Weights { concerns: 0.2, style: 0.4, modality: 0.05, identity: 0.2, distance: 0.3, effectiveness: 0.0 }
            } else {
                Weights::default()
            };
            for (mut req, knob) in generate_requests(12, req_seed, &dir).into_iter().zip(knobs) {
                vary(&mut req, knob);
                assert_same(&index.search_with(&req, &w), &naive::search(&dir, &req, &w));
            }
        }
    }

    /// The engine's shortcuts only start to matter past a few hundred listings: the top-k heap
    /// fills early, so most candidates are dropped on a score bound; in-person candidates in
    /// grid cells wholly within reach (50 km) are measured only when they may make the
    /// results; remote candidates are read only in their jurisdiction's band of slots, which
    /// edits after the build (new listings in freed slots) widen.
    #[test]
    fn shortcuts_agree_with_the_oracle_on_a_larger_edited_directory() {
        use rapport_core::matching::Format;
        let mut dir = generate(4000, 7);
        let mut index = Index::build(dir.clone());
        edit_alike(&mut dir, &mut index, 300, 0, "new");
        assert_eq!(index.len(), dir.len());
        let custom = Weights {
            concerns: 0.2,
            style: 0.4,
            modality: 0.05,
            identity: 0.2,
            distance: 0.3,
            effectiveness: 0.0,
        };
        for (n, mut req) in generate_requests(60, 11, &dir).into_iter().enumerate() {
            req.top = 1 + n % 5;
            if n % 3 == 0 {
                req.max_distance_km = Some(50.0);
                req.formats = vec![Format::InPerson, Format::Video];
            }
            if n % 4 == 0 {
                req.exclude.insert(dir[(n * 31) % dir.len()].id.clone());
            }
            for w in [Weights::default(), custom] {
                let engine = index.search_with(&req, &w);
                assert_same(&engine, &naive::search(&dir, &req, &w));
            }
        }
    }

    /// A small deterministic source of numbers for pushing generated data off its grid.
    struct Mix(u64);

    impl Mix {
        fn next(&mut self) -> u64 {
            // splitmix64
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }

        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// The point `km` from (`lat`, `lon`) on a bearing (the spherical destination formula).
    fn towards(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
        let (p, d) = (
            lat.to_radians(),
            km / rapport_core::matching::EARTH_RADIUS_KM,
        );
        let q = (p.sin() * d.cos() + p.cos() * d.sin() * bearing.cos()).asin();
        let l = lon.to_radians()
            + (bearing.sin() * d.sin() * p.cos()).atan2(d.cos() - p.sin() * q.sin());
        (q.to_degrees(), l.to_degrees())
    }

    /// Fees of any amount (most directories then have more distinct fees than the fee ladder
    /// has thresholds, and listings added later bring new ones), styles off the half-point
    /// grid or with −0, and slots at any hour.
    fn scatter(l: &mut Listing, mix: &mut Mix) {
        use rapport_core::matching::{Day, Slot, Word};
        if mix.chance(60) {
            l.fee.amount = 500 + mix.below(30_000);
            l.fee.sliding_scale_min = mix.chance(30).then(|| mix.below(l.fee.amount + 1));
        }
        if mix.chance(25) {
            let mut style = l.style.to_array();
            let d = mix.below(4) as usize;
            style[d] = match mix.below(3) {
                0 => -0.0,
                1 => (mix.unit() * 6.0 - 3.0).clamp(-3.0, 3.0),
                _ => 3.0,
            };
            l.style = Style::from_array(style);
        }
        if mix.chance(20) {
            let day = Day::ALL[mix.below(7) as usize];
            if let Some(slot) = Slot::new(day, mix.below(24) as u8)
                && !l.slots.contains(&slot)
            {
                l.slots.push(slot);
            }
        }
    }

    /// Budgets on a listing's fee or one off it, or over every fee, or in a currency nobody
    /// charges in; `must`
    /// and `prefer` wishes on every identity field; slots at any hour.
    fn sharpen(req: &mut Request, dir: &[Listing], mix: &mut Mix) {
        use rapport_core::matching::{
            Currency, Day, Ethnicity, Faith, Gender, Money, Preference, Slot, Strength, Word,
        };
        let strength = |mix: &mut Mix| {
            if mix.chance(50) {
                Strength::Must
            } else {
                Strength::Prefer
            }
        };
        let anchor = &dir[mix.below(dir.len() as u64) as usize];
        if mix.chance(50) {
            let fee = anchor.fee.sliding_scale_min.unwrap_or(anchor.fee.amount);
            let amount = [
                fee,
                fee + 1,
                fee.saturating_sub(1),
                anchor.fee.amount,
                200_000,
            ][mix.below(5) as usize];
            let currency = if mix.chance(10) {
                Currency::parse("ZZZ").unwrap()
            } else {
                anchor.fee.currency
            };
            req.budget = Some(Money { amount, currency });
        }
        let id = &mut req.identity;
        if mix.chance(30) {
            let value = Gender::ALL[mix.below(3) as usize];
            id.gender = Some(Preference {
                value,
                strength: strength(mix),
            });
        }
        if mix.chance(20) {
            id.lgbtq = Some(Preference {
                value: mix.chance(50),
                strength: strength(mix),
            });
        }
        if mix.chance(20) {
            let value = Ethnicity::ALL[mix.below(7) as usize];
            id.ethnicity = Some(Preference {
                value,
                strength: strength(mix),
            });
        }
        if mix.chance(20) {
            let value = Faith::ALL[mix.below(8) as usize];
            id.faith = Some(Preference {
                value,
                strength: strength(mix),
            });
        }
        if mix.chance(30) {
            let day = Day::ALL[mix.below(7) as usize];
            if let Some(slot) = Slot::new(day, mix.below(24) as u8) {
                req.slots.push(slot);
            }
        }
        req.top = [1, 2, 3, 5, 20][mix.below(5) as usize];
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// The engine's filter sets (fee ladder bands, slots, identity), its classes and style
        /// codes, and its quick in-reach test, held to the oracle where they have edges.
        #[test]
        fn filter_sets_classes_and_reach_agree_with_the_oracle_at_their_edges(
            seed in any::<u64>(),
            count in 200usize..900,
            req_seed in any::<u64>(),
            custom in any::<bool>(),
        ) {
            let mut mix = Mix(seed ^ 0x5EED);
            let mut dir = generate(count, seed);
            dir.iter_mut().for_each(|l| scatter(l, &mut mix));
            let mut index = Index::build(dir.clone());
            let w = if custom {
                Weights { concerns: 0.2, style: 0.4, modality: 0.05, identity: 0.2, distance: 0.3, effectiveness: 0.0 }
            } else {
                Weights::default()
            };
            for (n, mut req) in generate_requests(16, req_seed, &dir).into_iter().enumerate() {
                sharpen(&mut req, &dir, &mut mix);
                // A few listings moved onto the edge of the client's reach, or just either side
                // of it, and one new listing with a fee nobody had.
                if let (Some(from), Some(max)) = (req.location, req.max_distance_km) {
                    for k in 0..4 {
                        let at = mix.below(dir.len() as u64) as usize;
                        let off = [0.0, 0.000_5, -0.000_5, 0.009, -0.009, 0.02][mix.below(6) as usize];
                        let (lat, lon) = towards(from.lat, from.lon, max + off, mix.unit() * std::f64::consts::TAU);
                        let l = &mut dir[at];
                        if let Some(place) = l.location.as_mut() {
                            (place.lat, place.lon) = (lat, lon);
                        }
                        if k == 0 {
                            l.fee.amount = 100_000 + n as u64;
                        }
                        index.upsert(l.clone());
                    }
                }
                let (engine, oracle) = (index.search_with(&req, &w), naive::search(&dir, &req, &w));
                assert_same(&engine, &oracle);
                // Scores and components agree to the bit, not just closely.
                for (a, b) in engine.results.iter().zip(&oracle.results) {
                    prop_assert_eq!(a.score.to_bits(), b.score.to_bits(), "{}", a.id);
                    prop_assert_eq!(a.components, b.components, "{}", a.id);
                }
            }
        }
    }

    #[test]
    #[ignore = "timing only: MATCH_N=100000 cargo test --release --test matching_engine -- --ignored --nocapture"]
    fn time_build_and_search() {
        let n: usize = std::env::var("MATCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let dir = generate(n, 1);
        let q: usize = std::env::var("MATCH_Q")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        let reqs = generate_requests(q, 2, &dir);
        let start = std::time::Instant::now();
        let index = Index::build(dir);
        let build = start.elapsed();
        let mut times: Vec<_> = reqs
            .iter()
            .map(|r| {
                let t = std::time::Instant::now();
                std::hint::black_box(index.search(r));
                t.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "n={n} build={build:?} p50={:?} p99={:?} bytes/listing={}",
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            index.approx_bytes_per_listing()
        );
    }
}
