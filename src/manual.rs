//! `btcturk-bal man`: the manual page. clap_mangen writes the name,
//! synopsis and options from the command line's own help, the commands
//! and the environment come from their definitions, and the sections that
//! document the tool as a whole are the README's own, turned into roff:
//! the prose is written once.

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

const README: &str = include_str!("../README.md");

/// The README's sections that make the manual's, in order, with their
/// titles in the manual (not OUTPUT: the options have that heading).
const FROM_README: &[(&str, &str)] = &[
    ("Quick start", "CONFIGURATION"),
    ("Profiles", "PROFILES"),
    ("Output", "FORMATS"),
    ("Monitoring", "MONITORING"),
    ("Portfolio value", "VALUATION"),
    ("History", "HISTORY"),
    ("Terminal and shell", "TERMINAL AND SHELL"),
    ("Exit codes", "EXIT STATUS"),
    ("Reliability", "RELIABILITY"),
];

/// The whole page, as roff.
pub fn render() -> std::io::Result<Vec<u8>> {
    let cli = crate::cli::Cli::command();
    let man = Man::new(cli.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    // No hyphenation, left-aligned: flags and paths stay whole.
    let mut roff = Roff::new();
    roff.control("nh", []).control("ad", ["l"]);
    // A path or a long number wider than a narrow terminal runs past its
    // edge; groff's warning about it would be no news to a reader (only
    // groff has \n(.g set; mandoc has no `warn`).
    roff.control("if", ["\\n(.g", ".warn", "0"]);
    roff.to_writer(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    term(
        &mut roff,
        "btcturk-bal [OPTIONS]",
        "Show the account's balances.",
    );
    commands(&mut roff, &cli, "btcturk-bal");
    for (heading, title) in FROM_README {
        roff.control("SH", [*title]);
        markdown(&mut roff, section(heading));
        if *title == "PROFILES" {
            roff.control("SH", ["ENVIRONMENT"]);
            for (name, meaning) in crate::cli::ENVIRONMENT {
                term(&mut roff, name, meaning);
            }
        }
    }
    roff.control("SH", ["EXAMPLES"]).control("nf", []);
    for line in crate::cli::EXAMPLES.trim().lines().skip(1) {
        roff.text([roman(line.trim_start())]);
    }
    roff.control("fi", []).to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

/// Each subcommand under `cmd`, named as it is typed, and what it does.
fn commands(roff: &mut Roff, cmd: &clap::Command, path: &str) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = format!("{path} {}", sub.get_name());
        for arg in sub.get_positionals() {
            path += &format!(" {}", arg.get_value_names().unwrap_or_default().join(" "));
        }
        if sub.has_subcommands() {
            commands(roff, sub, &path);
        } else {
            let about = sub.get_about();
            term(
                roff,
                &path,
                &about.map(|a| a.to_string()).unwrap_or_default(),
            );
        }
    }
}

fn term(roff: &mut Roff, term: &str, text: &str) {
    roff.control("TP", []).text([bold(term)]).text(inline(text));
}

/// The text of the README's `## heading` section, up to the next one.
fn section(heading: &str) -> &'static str {
    let start = README
        .find(&format!("\n## {heading}\n"))
        .map_or(README.len(), |at| at + 1);
    let body = README[start..]
        .split_once('\n')
        .map_or("", |(_, body)| body);
    body.split("\n## ").next().unwrap_or_default()
}

/// The Markdown the README is written in, as roff: paragraphs, `###`
/// headings, lists (nested by two spaces), fenced code, and tables, each
/// row of which becomes a term and its cells.
fn markdown(roff: &mut Roff, text: &str) {
    let mut paragraph: Vec<&str> = Vec::new();
    // How deep the list is that the lines are in (0: none).
    let mut depth = 0;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let spaces = line.len() - trimmed.len();
        let item = trimmed.strip_prefix("- ");
        let block = ["```", "|", "### "].iter().any(|s| trimmed.starts_with(s));
        let text = !trimmed.is_empty() && !block && item.is_none();
        if text && !paragraph.is_empty() {
            paragraph.push(trimmed);
            continue;
        }
        flush(roff, &mut paragraph, depth);
        // Anything but an item at the margin ends a list.
        if spaces == 0 && !trimmed.is_empty() && item.is_none() {
            for _ in 1..depth {
                roff.control("RE", []);
            }
            depth = 0;
        }
        if text {
            if depth > 0 {
                // A paragraph of its own within a list item.
                roff.control("IP", ["\\&", "2"]);
            }
            paragraph.push(trimmed);
        } else if let Some(item) = item {
            let level = spaces / 2 + 1;
            for _ in level..depth {
                roff.control("RE", []);
            }
            for _ in depth.max(1)..level {
                roff.control("RS", ["2"]);
            }
            depth = level;
            roff.control("IP", ["\\(bu", "2"]);
            paragraph.push(item);
        } else if let Some(title) = trimmed.strip_prefix("### ") {
            roff.control("SS", [title.replace('`', "").as_str()]);
        } else if trimmed.starts_with("```") {
            roff.control("sp", [])
                .control("RS", ["4"])
                .control("nf", []);
            for code in lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
            {
                roff.text([roman(code.get(spaces..).unwrap_or(code.trim_start()))]);
            }
            roff.control("fi", []).control("RE", []);
        } else if block {
            let header = cells(trimmed);
            lines.next(); // the |---| line
            while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
                let row = cells(row);
                let named: Vec<String> = (header.iter().zip(&row).skip(1))
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(name, cell)| format!("{name}: {cell}"))
                    .collect();
                term(roff, &row[0].replace('`', ""), &named.join("; "));
            }
        }
    }
    flush(roff, &mut paragraph, depth);
}

/// The paragraph gathered so far, as one line of text.
fn flush(roff: &mut Roff, paragraph: &mut Vec<&str>, depth: usize) {
    if paragraph.is_empty() {
        return;
    }
    if depth == 0 {
        roff.control("PP", []);
    }
    roff.text(inline(&paragraph.join(" ")));
    paragraph.clear();
}

/// A table row's cells: split at the `|` that are outside code and not
/// written `\|`.
fn cells(row: &str) -> Vec<String> {
    let (mut cells, mut cell, mut code) = (Vec::new(), String::new(), false);
    let mut chars = row.trim().trim_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => cell.push(chars.next().unwrap_or('|')),
            '|' if !code => cells.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => {
                code ^= c == '`';
                cell.push(c);
            }
        }
    }
    cells.push(cell.trim().to_owned());
    cells
}

/// Inline Markdown: `code` in bold, *words* in italics, a link as its text.
fn inline(text: &str) -> Vec<Inline> {
    let mut plain = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('[') {
        plain.push_str(before);
        match after
            .split_once("](")
            .and_then(|(label, tail)| Some((label, tail.split_once(')')?.1)))
        {
            Some((label, tail)) if !label.contains(']') => {
                plain.push_str(label);
                rest = tail;
            }
            _ => {
                plain.push('[');
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    let mut inlines = Vec::new();
    for (i, part) in plain.split('`').enumerate() {
        if i % 2 == 1 {
            inlines.push(bold(part));
            continue;
        }
        for (j, words) in part.split('*').enumerate() {
            inlines.push(if j % 2 == 1 {
                italic(words)
            } else {
                roman(words)
            });
        }
    }
    inlines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_readme_section_is_found_and_read_whole() {
        for (heading, _) in FROM_README {
            let text = section(heading);
            assert!(text.len() > 200, "README section {heading:?}: {text:?}");
            assert!(!text.contains("\n## "), "{heading:?} runs into the next");
        }
        let page = String::from_utf8(render().expect("rendered")).expect("UTF-8");
        // No Markdown left over: fences, links, table rules, list dashes.
        for markdown in ["```", "](", "|\\-\\-\\-", "\n\\- ", "\n### "] {
            assert!(!page.contains(markdown), "{markdown:?} in the page");
        }
        // Each table row is a term: the Reliability table's last one.
        assert!(page.contains("finds the file locked by another process"));
    }
}
