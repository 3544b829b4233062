//! CSV cells for every export (the audit log, every chart's series): RFC
//! 4180 quoting, and text that a spreadsheet would run as a formula is
//! neutralised.

/// Appends one text cell: a cell that starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'`, so a spreadsheet shows it as
/// text instead of evaluating it (a user name typed at sign-in, a trace's
/// entity name, ...); then it is quoted, quotes doubled, when it holds a
/// comma, a quote or a line break. Numbers Millwright writes itself are not
/// text cells and keep their sign.
pub fn push_text(out: &mut String, cell: &str) {
    let formula = starts_formula(cell);
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quote {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// Whether a spreadsheet would run `cell` as a formula.
fn starts_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// [`push_text`] into a new string.
pub fn text(cell: &str) -> String {
    let mut out = String::new();
    push_text(&mut out, cell);
    out
}

/// A text cell always in quotes (the chart series' style), neutralised as
/// [`push_text`] does.
pub fn quoted(cell: &str) -> String {
    let mark = if starts_formula(cell) { "'" } else { "" };
    format!("\"{mark}{}\"", cell.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let cells = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", ""];
        let out: Vec<String> = cells.iter().map(|c| text(c)).collect();
        assert_eq!(
            out.join("|"),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\rhere\"|"
        );
    }

    #[test]
    fn quoted_cells_are_neutralised_too() {
        assert_eq!(super::quoted("MES core"), "\"MES core\"");
        assert_eq!(super::quoted("=1+\"2\""), "\"'=1+\"\"2\"\"\"");
    }

    #[test]
    fn formulas_become_text() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "\"'\rcmd\""),
            ("=1,2", "\"'=1,2\""),
            ("a=1", "a=1"),
        ] {
            assert_eq!(text(cell), want, "{cell:?}");
        }
    }
}
