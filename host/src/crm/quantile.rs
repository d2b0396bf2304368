//! Quantiles of a population's values, by linear interpolation between
//! order statistics: the definition pandas, Polars, NumPy and DuckDB's
//! `quantile_cont` use by default, so the cutoffs agree with theirs.

/// Where the `p`-quantile (0 ≤ p ≤ 1) of `len` sorted values lies: the
/// order statistics below and above it and the weight of the one above.
fn position(len: usize, p: f64) -> Option<(usize, usize, f64)> {
    let last = len.checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    Some((lo, (lo + 1).min(last), h - lo as f64))
}

/// The `p`-quantile (0 ≤ p ≤ 1) of `sorted` (ascending); `None` when empty.
pub fn of_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let (lo, hi, weight) = position(sorted.len(), p)?;
    let (a, b) = (sorted[lo], sorted[hi]);
    Some(a + weight * (b - a))
}

/// The quantiles of `values` at each of `ps`; `None` when there are no
/// values. Only the order statistics the quantiles need are put in place
/// (a selection, not a sort): for a few quantiles of many values that is
/// several times faster, and the result is the sorted one's.
pub fn cutoffs<const N: usize>(mut values: Vec<f64>, ps: [f64; N]) -> Option<[f64; N]> {
    let positions = ps.map(|p| position(values.len(), p));
    let mut ranks: Vec<usize> = positions
        .iter()
        .flatten()
        .flat_map(|&(lo, hi, _)| [lo, hi])
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    // Each selection leaves the smaller values to its left, so the next
    // rank is searched for only to its right.
    let mut start = 0;
    for rank in ranks {
        values[start..].select_nth_unstable_by(rank - start, f64::total_cmp);
        start = rank + 1;
    }
    let mut out = [0.0; N];
    for (slot, at) in out.iter_mut().zip(positions) {
        let (lo, hi, weight) = at?;
        let (a, b) = (values[lo], values[hi]);
        *slot = a + weight * (b - a);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_order_statistics() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) = [1.75, 2.5, 3.25]
        assert_eq!(
            cutoffs(vec![4.0, 1.0, 3.0, 2.0], [0.25, 0.5, 0.75]),
            Some([1.75, 2.5, 3.25])
        );
        assert_eq!(of_sorted(&[7.0], 0.9), Some(7.0));
        assert_eq!(of_sorted(&[], 0.5), None);
        assert_eq!(of_sorted(&[1.0, 11.0], 1.0), Some(11.0));
        assert_eq!(cutoffs(Vec::new(), [0.5]), None);
    }

    #[test]
    fn selecting_gives_what_sorting_gives() {
        // A seeded shuffle of values with many repeats, as counts and days
        // have, and quantiles on, between and at the ends.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let values: Vec<f64> = (0..10_007)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 900) as f64 / 7.0
            })
            .collect();
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        let ps = [0.0, 0.1, 0.25, 0.33, 0.5, 0.5, 0.67, 0.75, 0.999, 1.0];
        let expected = ps.map(|p| of_sorted(&sorted, p).unwrap_or(f64::NAN));
        assert_eq!(cutoffs(values, ps), Some(expected));
    }
}
