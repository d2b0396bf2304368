//! Quantiles of a population's values, by linear interpolation between
//! order statistics: the definition pandas, Polars, NumPy and DuckDB's
//! `quantile_cont` use by default, so the cutoffs agree with theirs.

/// The `p`-quantile (0 ≤ p ≤ 1) of `sorted` (ascending); `None` when empty.
pub fn of_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (sorted[lo], sorted[hi]);
    Some(a + (h - lo as f64) * (b - a))
}

/// Sorts `values` and returns their quantiles at each of `ps`; `None` when
/// there are no values.
pub fn cutoffs<const N: usize>(mut values: Vec<f64>, ps: [f64; N]) -> Option<[f64; N]> {
    values.sort_unstable_by(f64::total_cmp);
    let mut out = [0.0; N];
    for (slot, p) in out.iter_mut().zip(ps) {
        *slot = of_sorted(&values, p)?;
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
    }
}
