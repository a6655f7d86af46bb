//! Honest numbers (coaching-model R45): a rate is shown with its sample size
//! and a 95% interval, and as "not enough data yet" below a minimum sample;
//! a mean with Student's t interval, a median with a distribution-free one;
//! a comparison of two rates (Newcombe's interval, the two-proportion z-test)
//! or two means (Welch) with its difference, interval and p-value; and a
//! ranking only where the intervals keep the order apart.

/// The smallest sample a rate is shown for; below it the UI says "not
/// enough data yet".
pub const MIN_SAMPLE: u64 = 10;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its sample size and 95% Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Successes.
    pub hits: u64,
    /// Sample size.
    pub n: u64,
}

impl Rate {
    /// `hits` of `n`.
    pub fn new(hits: u64, n: u64) -> Rate {
        Rate {
            hits: hits.min(n),
            n,
        }
    }

    /// The share, if there is a sample.
    pub fn value(&self) -> Option<f64> {
        (self.n > 0).then(|| self.hits as f64 / self.n as f64)
    }

    /// The 95% Wilson score interval, if there is a sample.
    pub fn interval(&self) -> Option<(f64, f64)> {
        wilson(self.hits, self.n)
    }

    /// Whether the sample is large enough to show the rate.
    pub fn enough_data(&self) -> bool {
        self.n >= MIN_SAMPLE
    }
}

/// The 95% Wilson score interval of `hits` successes in `n` trials.
pub fn wilson(hits: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let n_f = n as f64;
    let p = hits.min(n) as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = p + z2 / (2.0 * n_f);
    let margin = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    Some((
        ((centre - margin) / denominator).max(0.0),
        ((centre + margin) / denominator).min(1.0),
    ))
}

/// A mean with its sample and 95% interval (Student's t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mean {
    /// Sample size.
    pub n: u64,
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (n − 1).
    pub sd: f64,
}

impl Mean {
    /// The mean of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Mean> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(Mean {
            n: n as u64,
            mean,
            sd,
        })
    }

    /// The 95% interval for the mean, from Student's t with n − 1 degrees of
    /// freedom; `None` below two values.
    pub fn interval(&self) -> Option<(f64, f64)> {
        if self.n < 2 {
            return None;
        }
        let half = t_quantile(self.n as f64 - 1.0)? * self.sd / (self.n as f64).sqrt();
        Some((self.mean - half, self.mean + half))
    }

    /// Whether the sample is large enough to show the mean.
    pub fn enough_data(&self) -> bool {
        self.n >= MIN_SAMPLE
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
fn t_quantile(df: f64) -> Option<f64> {
    use statrs::distribution::{ContinuousCDF as _, StudentsT};
    StudentsT::new(0.0, 1.0, df)
        .ok()
        .map(|t| t.inverse_cdf(0.975))
}

/// A median with a distribution-free 95% interval: the order statistics
/// whose ranks a binomial(n, ½) puts around the middle with at least 95%
/// coverage. `None` below six values (no such pair exists).
pub fn median_interval(values: &[f64]) -> Option<(f64, (f64, f64))> {
    use statrs::distribution::{Binomial, DiscreteCDF as _};
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let n = sorted.len();
    if n < 6 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let b = Binomial::new(0.5, n as u64).ok()?;
    // The largest lower rank k (1-based) with P(B <= k - 1) <= 2.5%: the
    // interval [x(k), x(n + 1 - k)] covers the median with at least 95%.
    let mut k = 0u64;
    while k < n as u64 / 2 && b.cdf(k) <= 0.025 {
        k += 1;
    }
    if k == 0 {
        return None;
    }
    let low = sorted[(k - 1) as usize];
    let high = sorted[n - k as usize];
    Some((median, (low, high)))
}

/// A difference between two groups: its value, 95% interval and the
/// two-sided p-value of a test that they are the same.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// First minus second.
    pub difference: f64,
    /// Its 95% interval.
    pub interval: (f64, f64),
    /// The two-sided p-value.
    pub p_value: f64,
}

impl Comparison {
    /// Whether the difference is significant at the 5% level.
    pub fn significant(&self) -> bool {
        self.p_value < 0.05
    }
}

/// Two rates compared (R45): the difference with Newcombe's hybrid score
/// interval (method 10, from the two Wilson intervals) and the p-value of
/// the pooled two-proportion z-test. `None` when either has no sample.
pub fn compare_rates(a: Rate, b: Rate) -> Option<Comparison> {
    use statrs::distribution::{ContinuousCDF as _, Normal};
    let (pa, pb) = (a.value()?, b.value()?);
    let ((la, ua), (lb, ub)) = (a.interval()?, b.interval()?);
    let difference = pa - pb;
    let interval = (
        difference - ((pa - la).powi(2) + (ub - pb).powi(2)).sqrt(),
        difference + ((ua - pa).powi(2) + (pb - lb).powi(2)).sqrt(),
    );
    let pooled = (a.hits + b.hits) as f64 / (a.n + b.n) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / a.n as f64 + 1.0 / b.n as f64)).sqrt();
    let p_value = if se == 0.0 {
        1.0
    } else {
        let z = (difference / se).abs();
        2.0 * (1.0 - Normal::standard().cdf(z))
    };
    Some(Comparison {
        difference,
        interval,
        p_value: p_value.clamp(0.0, 1.0),
    })
}

/// Two means compared by Welch's t-test (unequal variances): the
/// difference with its 95% interval and the two-sided p-value. `None` below
/// two values in either group or with no spread at all.
pub fn welch(a: &[f64], b: &[f64]) -> Option<Comparison> {
    use statrs::distribution::{ContinuousCDF as _, StudentsT};
    let (ma, mb) = (Mean::of(a)?, Mean::of(b)?);
    if ma.n < 2 || mb.n < 2 {
        return None;
    }
    let (va, vb) = (ma.sd.powi(2) / ma.n as f64, mb.sd.powi(2) / mb.n as f64);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return None;
    }
    let df =
        (va + vb).powi(2) / (va.powi(2) / (ma.n as f64 - 1.0) + vb.powi(2) / (mb.n as f64 - 1.0));
    let difference = ma.mean - mb.mean;
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    let half = t.inverse_cdf(0.975) * se;
    Some(Comparison {
        difference,
        interval: (difference - half, difference + half),
        p_value: (2.0 * (1.0 - t.cdf((difference / se).abs()))).clamp(0.0, 1.0),
    })
}

/// The exact (Garwood) 95% interval of a Poisson count `k`: how many
/// events the process behind `k` observed events would give on average.
pub fn poisson_interval(k: u64) -> Option<(f64, f64)> {
    use statrs::distribution::{ChiSquared, ContinuousCDF as _};
    let low = if k == 0 {
        0.0
    } else {
        ChiSquared::new(2.0 * k as f64).ok()?.inverse_cdf(0.025) / 2.0
    };
    let high = ChiSquared::new(2.0 * k as f64 + 2.0)
        .ok()?
        .inverse_cdf(0.975)
        / 2.0;
    Some((low, high))
}

/// Events per unit of exposure (sessions per seller-month), with the exact
/// Poisson interval of the count scaled to the exposure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frequency {
    /// Events counted.
    pub count: u64,
    /// Units of exposure (seller-months).
    pub exposure: f64,
    /// Each event's weight (1, or the mean hours of a session).
    pub weight: f64,
}

impl Frequency {
    /// `count` events over `exposure`, each weighing `weight`.
    pub fn new(count: u64, exposure: f64, weight: f64) -> Frequency {
        Frequency {
            count,
            exposure,
            weight,
        }
    }

    /// Weighted events per unit of exposure.
    pub fn value(&self) -> Option<f64> {
        (self.exposure > 0.0).then(|| self.count as f64 * self.weight / self.exposure)
    }

    /// Its 95% interval.
    pub fn interval(&self) -> Option<(f64, f64)> {
        if self.exposure <= 0.0 {
            return None;
        }
        let (lo, hi) = poisson_interval(self.count)?;
        let scale = self.weight / self.exposure;
        Some((lo * scale, hi * scale))
    }

    /// Whether enough events were counted to show it.
    pub fn enough_data(&self) -> bool {
        self.count >= MIN_SAMPLE
    }
}

/// Whether an order of groups by their values means anything (R45): not
/// when the 95% intervals of neighbours overlap, in which case a ranking is
/// withheld. `intervals` are in the order of the ranking.
pub fn ranking_holds(intervals: &[(f64, f64)]) -> bool {
    intervals
        .windows(2)
        .all(|w| w[0].0 > w[1].1 || w[1].0 > w[0].1)
}

/// Tiers of groups that can be told apart (R45): `intervals` in the order
/// of the ranking (best first); a new tier starts where a group's interval
/// lies wholly below every interval of the tier above. Groups in one tier
/// cannot be put in order. Returns each group's tier, from 0.
pub fn tiers(intervals: &[(f64, f64)]) -> Vec<usize> {
    let mut out = Vec::with_capacity(intervals.len());
    let mut tier = 0;
    let mut floor = f64::INFINITY;
    for &(lo, hi) in intervals {
        if !out.is_empty() && hi < floor {
            tier += 1;
            floor = lo;
        } else {
            floor = floor.min(lo);
        }
        out.push(tier);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_part_only_where_intervals_do() {
        assert_eq!(tiers(&[]), Vec::<usize>::new());
        // Two that overlap, then one clearly below both.
        assert_eq!(
            tiers(&[(0.84, 0.92), (0.82, 0.90), (0.50, 0.62)]),
            [0, 0, 1]
        );
        // A chain of overlaps stays one tier.
        assert_eq!(tiers(&[(0.7, 0.9), (0.6, 0.8), (0.5, 0.7)]), [0, 0, 0]);
        assert_eq!(tiers(&[(0.8, 0.9), (0.6, 0.7), (0.4, 0.5)]), [0, 1, 2]);
    }

    #[test]
    fn the_poisson_interval_matches_the_exact_tables() {
        // Garwood's exact limits, as R's poisson.test(10) gives them.
        let (lo, hi) = poisson_interval(10).unwrap_or_default();
        assert!(close(lo, 4.795_389) && close(hi, 18.390_356), "{lo} {hi}");
        let (lo, hi) = poisson_interval(0).unwrap_or_default();
        assert!(lo == 0.0 && close(hi, 3.688_879), "{hi}");
        let f = Frequency::new(20, 10.0, 1.0);
        assert_eq!(f.value(), Some(2.0));
        let (lo, hi) = f.interval().unwrap_or_default();
        assert!(lo < 2.0 && hi > 2.0 && close(lo * 10.0, 12.216_56), "{lo}");
        assert!(!Frequency::new(9, 10.0, 1.0).enough_data());
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857–872, table I:
        // 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611.
        for (hits, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson(hits, n).unwrap_or_default();
            assert!(close(l, low) && close(h, high), "{hits}/{n}: {l:.4}–{h:.4}");
        }
        assert_eq!(wilson(3, 0), None);
    }

    /// The `sleep` data of R's datasets (Student 1908): extra hours of
    /// sleep with two drugs.
    const SLEEP_1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const SLEEP_2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    #[test]
    fn the_mean_interval_matches_r() {
        // R: t.test(sleep$extra[1:10]) → mean 0.75, 95% CI -0.5297804 2.0297804.
        let m = Mean::of(&SLEEP_1).unwrap_or(Mean {
            n: 0,
            mean: 0.0,
            sd: 0.0,
        });
        let (low, high) = m.interval().unwrap_or_default();
        assert!(
            close(m.mean, 0.75) && close(low, -0.529_780_4) && close(high, 2.029_780_4),
            "{low} {high}"
        );
        assert_eq!(Mean::of(&[]), None);
        assert_eq!(Mean::of(&[1.0]).and_then(|m| m.interval()), None);
    }

    #[test]
    fn welch_matches_r() {
        // R: t.test(extra ~ group, data = sleep) (Welch): t = -1.8608,
        // df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832.
        let c = welch(&SLEEP_1, &SLEEP_2).unwrap_or(Comparison {
            difference: 0.0,
            interval: (0.0, 0.0),
            p_value: 0.0,
        });
        assert!(close(c.difference, -1.58));
        assert!(
            close(c.interval.0, -3.365_483_2) && close(c.interval.1, 0.205_483_2),
            "{:?}",
            c.interval
        );
        assert!((c.p_value - 0.079_39).abs() < 5e-5, "{}", c.p_value);
        assert!(!c.significant());
        assert_eq!(welch(&[1.0], &SLEEP_2), None);
        assert_eq!(welch(&[1.0, 1.0], &[1.0, 1.0]), None);
    }

    #[test]
    fn rate_differences_match_newcombe_and_the_z_test() {
        // Newcombe (1998), Statistics in Medicine 17:873–890, table II,
        // method 10: 56/70 − 48/80 → 0.0524 to 0.3339; 9/10 − 3/10 →
        // 0.1705 to 0.8090. R: prop.test(c(56, 48), c(70, 80), correct =
        // FALSE) → p-value = 0.008049.
        let c = compare_rates(Rate::new(56, 70), Rate::new(48, 80)).unwrap_or(Comparison {
            difference: 0.0,
            interval: (0.0, 0.0),
            p_value: 1.0,
        });
        assert!(close(c.difference, 0.2));
        assert!(
            close(c.interval.0, 0.0524) && close(c.interval.1, 0.3339),
            "{:?}",
            c.interval
        );
        assert!((c.p_value - 0.008_049).abs() < 5e-6, "{}", c.p_value);
        assert!(c.significant());
        let c = compare_rates(Rate::new(9, 10), Rate::new(3, 10)).unwrap_or(Comparison {
            difference: 0.0,
            interval: (0.0, 0.0),
            p_value: 1.0,
        });
        assert!(
            close(c.interval.0, 0.1705) && close(c.interval.1, 0.8090),
            "{:?}",
            c.interval
        );
        assert_eq!(compare_rates(Rate::new(0, 0), Rate::new(3, 10)), None);
        let same = compare_rates(Rate::new(0, 10), Rate::new(0, 12));
        assert_eq!(same.map(|c| c.p_value), Some(1.0));
    }

    #[test]
    fn the_median_interval_uses_order_statistics() {
        // n = 10: ranks 2 and 9 cover the median with 97.9% (the smallest
        // symmetric pair with at least 95%, Conover's table A3).
        let (median, (low, high)) = median_interval(&SLEEP_2).unwrap_or_default();
        assert!(close(median, 1.75));
        assert!(close(low, 0.1) && close(high, 4.6), "{low} {high}");
        // n = 20: ranks 6 and 15 (95.9%).
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(median_interval(&twenty), Some((10.5, (6.0, 15.0))));
        assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
    }

    /// Draws `n` successes-or-not at `p`.
    fn draws(rng: &mut rand_chacha::ChaCha8Rng, p: f64, n: u64) -> Rate {
        use rand::Rng as _;
        Rate::new((0..n).filter(|_| rng.random_bool(p)).count() as u64, n)
    }

    #[test]
    fn with_nothing_planted_about_one_comparison_in_twenty_is_significant() {
        use rand::SeedableRng as _;
        // 2,000 pairs of groups of 150 at the same 30% win rate: the z-test
        // rejects at about 5% (binomial: 95% of runs fall in 4.1–6.0%).
        let mut rejected = 0;
        let runs = 2_000;
        for seed in 0..runs {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let (a, b) = (draws(&mut rng, 0.3, 150), draws(&mut rng, 0.3, 150));
            if compare_rates(a, b).is_some_and(|c| c.significant()) {
                rejected += 1;
            }
        }
        let rate = f64::from(rejected) / runs as f64;
        println!(
            "R45: two-proportion z-test, nothing planted: {rate:.3} significant over {runs} runs"
        );
        assert!((0.035..=0.065).contains(&rate), "false positives: {rate}");
    }

    #[test]
    fn a_planted_difference_is_found_and_its_interval_covers_it() {
        use rand::SeedableRng as _;
        // Deals coached early win 40%, the others 30%: with 400 a side the
        // interval holds the true 10 points in about 95% of runs, and the
        // test finds the difference in most (its power is about 0.8).
        let runs = 1_000;
        let (mut covered, mut found) = (0, 0);
        for seed in 0..runs {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(10_000 + seed);
            let (a, b) = (draws(&mut rng, 0.4, 400), draws(&mut rng, 0.3, 400));
            let Some(c) = compare_rates(a, b) else {
                continue;
            };
            if c.interval.0 <= 0.1 && 0.1 <= c.interval.1 {
                covered += 1;
            }
            if c.significant() {
                found += 1;
            }
        }
        let coverage = f64::from(covered) / runs as f64;
        let power = f64::from(found) / runs as f64;
        println!(
            "R45: 10 points planted: interval covers it in {coverage:.3}, found in {power:.3} of {runs} runs"
        );
        assert!((0.93..=0.97).contains(&coverage), "coverage {coverage}");
        assert!((0.75..=0.90).contains(&power), "power {power}");
    }

    #[test]
    fn welch_keeps_its_level_with_unequal_spreads() {
        use rand::Rng as _;
        use rand::SeedableRng as _;
        // Same mean, spreads 1 and 3, sizes 12 and 30: Welch rejects at
        // about 5%.
        let runs = 2_000;
        let mut rejected = 0;
        for seed in 0..runs {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(50_000 + seed);
            let mut normal = |sd: f64| {
                // Box–Muller.
                let (u, v): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
                sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            };
            let a: Vec<f64> = (0..12).map(|_| normal(1.0)).collect();
            let b: Vec<f64> = (0..30).map(|_| normal(3.0)).collect();
            if welch(&a, &b).is_some_and(|c| c.significant()) {
                rejected += 1;
            }
        }
        let rate = f64::from(rejected) / runs as f64;
        println!(
            "R45: Welch, nothing planted, unequal spreads: {rate:.3} significant over {runs} runs"
        );
        assert!((0.035..=0.065).contains(&rate), "false positives: {rate}");
    }

    #[test]
    fn a_ranking_is_withheld_when_neighbours_overlap() {
        assert!(ranking_holds(&[(0.7, 0.9), (0.4, 0.6), (0.1, 0.3)]));
        assert!(!ranking_holds(&[(0.7, 0.9), (0.5, 0.75), (0.1, 0.3)]));
        assert!(ranking_holds(&[(0.1, 0.2)]));
    }

    #[test]
    fn a_rate_knows_its_sample() {
        let r = Rate::new(3, 5);
        assert_eq!(r.value(), Some(0.6));
        assert!(!r.enough_data());
        assert!(Rate::new(12, 20).enough_data());
        assert_eq!(Rate::new(0, 0).value(), None);
    }
}
