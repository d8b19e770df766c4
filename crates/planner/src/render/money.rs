//! Dollars as plans show them; the cost estimates write their arithmetic with these too.

/// `$11.80`, `-$11.80`, `$1,234.50`.
pub fn dollars(usd: f64) -> String {
    let cents = (usd * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}${}.{:02}", grouped(cents / 100), cents % 100)
}

/// `-$144`, `$1,020`: a total, to the dollar, as an estimate deserves.
pub fn whole_dollars(usd: f64) -> String {
    let whole = usd.round() as i64;
    format!("{}${}", if whole < 0 { "-" } else { "" }, grouped(whole.unsigned_abs()))
}

/// `-$144`, `+$217`, `$0`: a change in a total, to the dollar.
pub fn whole_change(usd: f64) -> String {
    let shown = whole_dollars(usd);
    if shown.starts_with('-') || shown == "$0" { shown } else { format!("+{shown}") }
}

/// `-$0.18`, `+$4.00`, `$0.00`: a change, to the cent.
pub fn cents_change(usd: f64) -> String {
    let shown = dollars(usd);
    if shown.starts_with('-') || shown == "$0.00" { shown } else { format!("+{shown}") }
}

/// `-$11.80/mo`, `+$4.00/mo`: a change in the monthly bill.
pub fn monthly(usd: f64) -> String {
    let shown = dollars(usd);
    if shown.starts_with('-') || shown == "$0.00" { format!("{shown}/mo") } else { format!("+{shown}/mo") }
}

/// A quantity without trailing zeros, thousands grouped: `0.5`, `1,000,000`, `12.75`.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        let whole = value as i64;
        return format!("{}{}", if whole < 0 { "-" } else { "" }, grouped(whole.unsigned_abs()));
    }
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let sign = if whole.starts_with('-') { "-" } else { "" };
    let whole: u64 = whole.trim_start_matches('-').parse().unwrap_or(0);
    if fraction.is_empty() { format!("{sign}{}", grouped(whole)) } else { format!("{sign}{}.{fraction}", grouped(whole)) }
}

fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_dollars_as_people_read_them() {
        assert_eq!(dollars(11.8), "$11.80");
        assert_eq!(dollars(-1234.5), "-$1,234.50");
        assert_eq!(whole_dollars(-143.62), "-$144");
        assert_eq!(whole_change(217.4), "+$217");
        assert_eq!(whole_change(0.2), "$0");
        assert_eq!(cents_change(-0.18), "-$0.18");
        assert_eq!(monthly(-11.8), "-$11.80/mo");
        assert_eq!(monthly(4.0), "+$4.00/mo");
        assert_eq!(monthly(-0.001), "$0.00/mo");
        assert_eq!(number(1_000_000.0), "1,000,000");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-2.25), "-2.25");
    }
}
