//! Honest numbers (coaching-model R45): a rate is shown with its sample size
//! and a 95% interval, and as "not enough data yet" below a minimum sample.

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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_rate_knows_its_sample() {
        let r = Rate::new(3, 5);
        assert_eq!(r.value(), Some(0.6));
        assert!(!r.enough_data());
        assert!(Rate::new(12, 20).enough_data());
        assert_eq!(Rate::new(0, 0).value(), None);
    }
}
