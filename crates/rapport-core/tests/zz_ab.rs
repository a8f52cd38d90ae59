//! TEMPORARY A/B timing harness.
use rapport_core::matching::{Index, Weights, generate, generate_requests};

#[repr(C)]
struct Ts {
    s: i64,
    ns: i64,
}
unsafe extern "C" {
    fn clock_gettime(clk: i32, ts: *mut Ts) -> i32;
}
fn cpu_ns() -> u64 {
    let mut t = Ts { s: 0, ns: 0 };
    unsafe { clock_gettime(3, &mut t) };
    (t.s * 1_000_000_000 + t.ns) as u64
}

#[test]
#[ignore]
fn ab() {
    let n: usize = std::env::var("MATCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let q: usize = std::env::var("MATCH_Q")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let dir = generate(n, 1);
    let reqs = generate_requests(q, 2, &dir);
    let index = Index::build(dir);
    let w = Weights::default();
    let (mut a, mut b, mut aw, mut bw) = (vec![], vec![], vec![], vec![]);
    let mut slow = vec![];
    for r in &reqs {
        for turn in 0..2 {
            let t = std::time::Instant::now();
            let c = cpu_ns();
            if turn == 0 {
                std::hint::black_box(index.search_with(r, &w));
            } else {
                std::hint::black_box(index.search_with(r, &w));
            }
            let dc = cpu_ns() - c;
            let dw = t.elapsed().as_nanos() as u64;
            if turn == 0 {
                a.push(dc);
                aw.push(dw)
            } else {
                b.push(dc);
                bw.push(dw)
            }
        }
    }
    slow.sort_by_key(|x| x.0);
    let tot = slow.iter().fold([0u64;4], |mut t, x| { for k in 0..4 { t[k] += x.1[k]; } t });
    println!("mean visits/dist/cand/exact = {:?}", tot.map(|t| t / slow.len() as u64));
    for x in slow.iter().rev().take(15) { println!("{:?}", x); }
    for x in slow.iter().skip(slow.len()/2).take(8) { println!("mid {:?}", x); }
    for v in [&mut a, &mut b, &mut aw, &mut bw] {
        v.sort();
    }
    let p = |v: &Vec<u64>, q: usize| v[v.len() * q / 100] as f64 / 1000.0;
    let mean = |v: &Vec<u64>| v.iter().sum::<u64>() as f64 / v.len() as f64 / 1000.0;
    println!(
        "n={n} OLD cpu p50={:.0}us p99={:.0}us mean={:.0}us | wall p50={:.0} p99={:.0}",
        p(&a, 50),
        p(&a, 99),
        mean(&a),
        p(&aw, 50),
        p(&aw, 99)
    );
    println!(
        "n={n} NEW cpu p50={:.0}us p99={:.0}us mean={:.0}us | wall p50={:.0} p99={:.0}",
        p(&b, 50),
        p(&b, 99),
        mean(&b),
        p(&bw, 50),
        p(&bw, 99)
    );
}
