//! Prices and sizes in an estimate's arithmetic; dollars are shown as plans show them.

pub use holdfast_planner::render::money::{dollars, monthly, number};

/// Rounded to the cent, as every figure shown and saved is.
pub(crate) fn cents(usd: f64) -> f64 {
    let rounded = (usd * 100.0).round() / 100.0;
    // -0.0 would print as "-$0.00".
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// A unit price as AWS lists it, to the cent at least: `$0.04048`, `$0.12`, `$2.00`.
pub(crate) fn price(usd: f64) -> String {
    let text = number(usd);
    match text.split_once('.') {
        None => format!("${text}.00"),
        Some((_, fraction)) if fraction.len() == 1 => format!("${text}0"),
        Some(_) => format!("${text}"),
    }
}

/// Gigabytes from bytes, as S3 and CloudWatch bill them (GiB, which AWS calls GB).
pub(crate) fn gigabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0 * 1024.0)
}

/// A size as people read it: `120.5 GB`.
pub(crate) fn size(gb: f64) -> String {
    format!("{} GB", number((gb * 10.0).round() / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_and_shows_prices() {
        assert_eq!(price(0.04048), "$0.04048");
        assert_eq!(price(2.0), "$2.00");
        assert_eq!(price(0.1), "$0.10");
        assert_eq!(cents(-0.004), 0.0);
        assert_eq!(cents(11.804), 11.8);
        assert_eq!(size(gigabytes(3 * 1024 * 1024 * 1024 / 2)), "1.5 GB");
    }
}
