//! Quantiles by linear interpolation between order statistics (the
//! definition pandas, Polars, NumPy and DuckDB use by default).

/// The `p`-quantile (0 ≤ p ≤ 1) of `sorted` (ascending); `None` when empty.
pub fn of_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (sorted[lo], sorted[hi]);
    Some(a + (h - lo as f64) * (b - a))
}

/// The quartiles of `values`; all 0 when there are none.
pub fn quartiles(mut values: Vec<f64>) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let mut out = [0.0; 3];
    for (slot, p) in out.iter_mut().zip([0.25, 0.5, 0.75]) {
        match of_sorted(&values, p) {
            Some(q) => *slot = q,
            None => return [0.0; 3],
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_order_statistics() {
        assert_eq!(quartiles(vec![4.0, 1.0, 3.0, 2.0]), [1.75, 2.5, 3.25]);
        assert_eq!(quartiles(Vec::new()), [0.0; 3]);
    }
}
