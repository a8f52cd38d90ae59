//! Crisis lines as something a person can tap: a deployment writes each line as one plain
//! sentence ("UK and Ireland: Samaritans, call 116 123 (free, any time)."), and the help page
//! shows every phone number in it as a `tel:` link and every site as a link, so someone on a
//! phone in a bad moment never has to copy digits by hand.
//!
//! The rules are deliberately simple and predictable, because the text is written by the
//! deployment, not by users: a run of at least three digits, optionally starting with `+` and
//! grouped by single spaces or hyphens, is a number to dial; a word with a dot inside and a
//! final part of letters only (`findahelpline.com`, `https://988lifeline.org/chat`) is a site.

/// One piece of a crisis line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Plain words.
    Text(String),
    /// A phone number: as written, and as dialled (`tel:` target, digits and a leading `+`).
    Phone {
        /// As written ("116 123").
        shown: String,
        /// For `tel:` ("116123").
        dial: String,
    },
    /// A site: as written, and the address to open (`https://` added when none is written).
    Site {
        /// As written ("findahelpline.com").
        shown: String,
        /// The link ("https://findahelpline.com").
        href: String,
    },
}

/// The lines shown when a deployment configures none: emergency numbers and a free line for each
/// country the demo directory covers, and a finder for everywhere else.
pub const DEFAULT_LINES: &[&str] = &[
    "If you are in immediate danger, call your local emergency number (112 in Europe, 999 in the UK, 911 in the US and Canada, 000 in Australia).",
    "UK and Ireland: Samaritans, call 116 123 (free, any time).",
    "US and Canada: Suicide & Crisis Lifeline, call or text 988.",
    "Germany: TelefonSeelsorge, call 0800 111 0 111 (free, any time).",
    "Australia: Lifeline, call 13 11 14 (any time).",
    "Elsewhere: findahelpline.com lists free, confidential lines by country.",
];

/// Splits one crisis line into text, numbers to dial and sites to open.
pub fn pieces(line: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let at_word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if at_word_start
            && let Some((end, piece)) = phone_at(&chars, i).or_else(|| site_at(&chars, i))
        {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            out.push(piece);
            i = end;
            continue;
        }
        text.push(chars[i]);
        i += 1;
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// A phone number starting at `start`: digits grouped by single spaces or hyphens, at least
/// three digits, not glued to letters. Returns where it ends and the piece.
fn phone_at(chars: &[char], start: usize) -> Option<(usize, Piece)> {
    let mut i = start;
    let plus = chars.get(i) == Some(&'+');
    if plus {
        i += 1;
    }
    if !chars.get(i)?.is_ascii_digit() {
        return None;
    }
    let mut end = i;
    let mut digits = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            digits += 1;
            i += 1;
            end = i;
        } else if (chars[i] == ' ' || chars[i] == '-')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    if digits < 3 || chars.get(end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    let shown: String = chars[start..end].iter().collect();
    let dial: String = shown
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    Some((end, Piece::Phone { shown, dial }))
}

/// A site starting at `start`: a run of address characters with a dot inside whose last part is
/// letters only (a trailing full stop or comma ends the sentence, not the address).
fn site_at(chars: &[char], start: usize) -> Option<(usize, Piece)> {
    let is_addr = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#=&%+".contains(c);
    let mut end = start;
    while end < chars.len() && is_addr(chars[end]) {
        end += 1;
    }
    while end > start && ".,:;?".contains(chars[end - 1]) {
        end -= 1;
    }
    let shown: String = chars[start..end].iter().collect();
    let host = shown
        .strip_prefix("https://")
        .or_else(|| shown.strip_prefix("http://"))
        .unwrap_or(&shown);
    let host = host.split('/').next().unwrap_or_default();
    let (name, tld) = host.rsplit_once('.')?;
    if name.is_empty() || tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let href = if shown.starts_with("http://") || shown.starts_with("https://") {
        shown.clone()
    } else {
        format!("https://{shown}")
    };
    Some((end, Piece::Site { shown, href }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(shown: &str, dial: &str) -> Piece {
        Piece::Phone {
            shown: shown.into(),
            dial: dial.into(),
        }
    }

    #[test]
    fn a_grouped_number_is_dialled_without_its_spaces() {
        assert_eq!(
            pieces("Samaritans, call 116 123 (free)."),
            vec![
                Piece::Text("Samaritans, call ".into()),
                phone("116 123", "116123"),
                Piece::Text(" (free).".into()),
            ]
        );
    }

    #[test]
    fn every_emergency_number_in_a_list_is_its_own_link() {
        let dials: Vec<String> = pieces(DEFAULT_LINES[0])
            .into_iter()
            .filter_map(|p| match p {
                Piece::Phone { dial, .. } => Some(dial),
                _ => None,
            })
            .collect();
        assert_eq!(dials, ["112", "999", "911", "000"]);
    }

    #[test]
    fn an_international_number_keeps_its_plus_and_hyphens_are_dropped() {
        assert!(
            pieces("call +44 20-7946-0000 now")
                .contains(&phone("+44 20-7946-0000", "+442079460000"))
        );
    }

    #[test]
    fn short_numbers_and_digits_inside_words_are_plain_text() {
        assert_eq!(
            pieces("open 24 hours"),
            vec![Piece::Text("open 24 hours".into())]
        );
        assert_eq!(
            pieces("text 988lifeline"),
            vec![Piece::Text("text 988lifeline".into())]
        );
    }

    #[test]
    fn a_site_is_linked_without_the_full_stop_that_ends_the_sentence() {
        assert_eq!(
            pieces("See findahelpline.com."),
            vec![
                Piece::Text("See ".into()),
                Piece::Site {
                    shown: "findahelpline.com".into(),
                    href: "https://findahelpline.com".into()
                },
                Piece::Text(".".into()),
            ]
        );
        assert!(
            pieces("chat at https://988lifeline.org/chat").contains(&Piece::Site {
                shown: "https://988lifeline.org/chat".into(),
                href: "https://988lifeline.org/chat".into()
            })
        );
    }

    #[test]
    fn a_decimal_or_a_sentence_end_is_not_a_site() {
        assert_eq!(
            pieces("costs 1.50 today. Then"),
            vec![Piece::Text("costs 1.50 today. Then".into())]
        );
    }

    #[test]
    fn every_default_line_names_something_to_call_or_open() {
        for line in DEFAULT_LINES {
            assert!(
                pieces(line).iter().any(|p| !matches!(p, Piece::Text(_))),
                "{line}"
            );
        }
    }
}
