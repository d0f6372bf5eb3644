//! The chart above a history table: a line in braille through the totals
//! (or one asset's balance), scaled with exact arithmetic.

use crate::figure::Figure;
use jiff::Timestamp;

/// Rows of the chart (each four dots high).
const CHART_ROWS: usize = 8;

/// A line chart of `points` (time, value) in braille, `width` columns wide
/// with the value axis labelled (exact, truncated toward zero to `places`
/// decimals) and the first and last times under it.
pub(super) fn chart(points: &[(Timestamp, Figure)], width: usize, places: u32) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let label = |d: &Figure| d.rounded(places);
    let min = points
        .iter()
        .map(|p| &p.1)
        .min()
        .cloned()
        .unwrap_or_default();
    let max = points
        .iter()
        .map(|p| &p.1)
        .max()
        .cloned()
        .unwrap_or_default();
    let (top, bottom) = (label(&max), label(&min));
    let gutter = top.len().max(bottom.len());
    let columns = width.saturating_sub(gutter + 2).max(10);
    let grid = plot(points, columns, (&min, &max));

    let mut out = String::new();
    for (i, row) in grid.iter().enumerate() {
        let name = match i {
            0 => top.as_str(),
            _ if i == CHART_ROWS - 1 => bottom.as_str(),
            _ => "",
        };
        let tick = if name.is_empty() { '│' } else { '┤' };
        out.push_str(&format!("{name:>gutter$} {tick}"));
        out.extend(
            row.iter()
                .map(|&b| char::from_u32(0x2800 + u32::from(b)).unwrap_or(' ')),
        );
        out.push('\n');
    }
    out.push_str(&format!("{:gutter$} └{}\n", "", "─".repeat(columns)));
    let (from, to) = (format!("{:.0}", first.0), format!("{:.0}", last.0));
    let indent = gutter + 2;
    if from.len() + 1 + to.len() <= columns {
        let pad = columns - from.len() - to.len();
        out.push_str(&format!("{:indent$}{from}{}{to}\n", "", " ".repeat(pad)));
    } else {
        // Too narrow for both on one line: the last time under the end of
        // the axis, on a line of its own, rather than run into the first.
        let right = (indent + columns).max(to.len());
        out.push_str(&format!("{:indent$}{from}\n{to:>right$}\n", ""));
    }
    out
}

/// The braille cells (`CHART_ROWS` by `columns`, each 2 by 4 dots) of a
/// line through `points`, time across and value up from `min` to `max`.
/// Scaled with exact integer arithmetic: no amount passes through floating
/// point, even on its way to a dot.
fn plot(points: &[(Timestamp, Figure)], columns: usize, range: (&Figure, &Figure)) -> Vec<Vec<u8>> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let (dots_x, dots_y) = (columns * 2, CHART_ROWS * 4);
    let span = (last.0 - first.0).as_secs().max(1);
    let dot = |(at, value): &(Timestamp, Figure)| {
        let x = (at.as_second() - first.0.as_second()) * (dots_x as i64 - 1) / span;
        // Exact, whatever the totals: no figure can overflow.
        let steps = u32::try_from(dots_y - 1).unwrap_or(u32::MAX);
        (x, value.step(range, steps))
    };
    let mut grid = vec![vec![0u8; columns]; CHART_ROWS];
    let mut set = |x: i64, y: i64| {
        let (x, y) = (
            x.clamp(0, dots_x as i64 - 1) as usize,
            y.clamp(0, dots_y as i64 - 1) as usize,
        );
        let row = CHART_ROWS - 1 - y / 4;
        // Braille dots: the left column 1, 2, 3, 7 and the right 4, 5, 6, 8,
        // top to bottom.
        let bits = [[0x40, 0x04, 0x02, 0x01], [0x80, 0x20, 0x10, 0x08]];
        grid[row][x / 2] |= bits[x % 2][y % 4];
    };
    let dots: Vec<(i64, i64)> = points.iter().map(dot).collect();
    for pair in dots.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let steps = (x1 - x0).abs().max((y1 - y0).abs()).max(1);
        for i in 0..=steps {
            set(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps);
        }
    }
    if let [(x, y)] = dots[..] {
        set(x, y);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_times_never_run_together() {
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        let points = [
            (
                t("2026-09-30T23:00:00Z"),
                Figure::parse("1").expect("figure"),
            ),
            (
                t("2026-12-31T23:00:00Z"),
                Figure::parse("2").expect("figure"),
            ),
        ];
        for width in [0, 30, 50, 57, 58, 80] {
            let text = chart(&points, width, 2);
            assert!(!text.contains("Z2026"), "{width}:\n{text}");
            let last = text.lines().last().expect("a line");
            assert!(last.ends_with("2026-12-31T23:00:00Z"), "{width}:\n{text}");
        }
    }

    #[test]
    fn the_largest_totals_are_charted() {
        // 27,000 rows of just under 10^23 each, against nothing; any
        // total the reader accepts is charted.
        let f = |text: &str| Figure::parse(text).expect("figure");
        let big = f("2699999999999999999999973000");
        let t = |s: i64| Timestamp::from_second(s).expect("time");
        for points in [
            vec![(t(0), big), (t(3600), Figure::ZERO)],
            vec![(t(0), f("-2699999999999999999999973000")), (t(3600), big)],
            vec![
                (t(0), f("-79228162514264337593543950335")),
                (t(3600), f("79228162514264337593543950335")),
            ],
        ] {
            let (low, high) = (points[0].1.min(points[1].1), points[0].1.max(points[1].1));
            let grid = plot(&points, 20, (&low, &high));
            assert_eq!(grid.len(), CHART_ROWS);
            let shown = chart(&points, 60, 2);
            assert!(shown.contains(&format!("{} ┤", high.rounded(2))), "{shown}");
        }
    }
}
