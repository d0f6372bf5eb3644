//! The columns of the CSV dump (`-o csv`): one description, which the
//! writer (`render::csv`) and history's reader both use, so that every
//! column the tool writes is one it reads back.

/// The columns every row has, in order.
const BASE: [&str; 9] = [
    "fetched_at",
    "asset",
    "name",
    "balance",
    "free",
    "locked",
    "order_fund",
    "request_fund",
    "precision",
];

/// Added last with `--all-profiles`.
const PROFILE: &str = "profile";

/// One column a reader looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    FetchedAt,
    Asset,
    Balance,
    Precision,
    Price,
    Value,
    Profile,
}

/// A dump's columns: the base ones, then with `--value-in` the price and
/// value in that currency (`price_try,value_try`, named so that dumps in
/// two currencies cannot be mixed unnoticed), then with `--all-profiles`
/// the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The valuing currency's code in lower case, as the names carry it.
    pub currency: Option<String>,
    pub profile: bool,
}

/// The currency code of a `price_CODE,value_CODE` pair of names.
fn valued<'a>(price: &'a str, value: &str) -> Option<&'a str> {
    let code = price.strip_prefix("price_")?;
    (value.strip_prefix("value_") == Some(code) && !code.is_empty()).then_some(code)
}

impl Columns {
    /// The column names, in order.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BASE.map(String::from).to_vec();
        if let Some(code) = &self.currency {
            names.extend([format!("price_{code}"), format!("value_{code}")]);
        }
        if self.profile {
            names.push(PROFILE.into());
        }
        names
    }

    pub fn len(&self) -> usize {
        BASE.len() + 2 * usize::from(self.currency.is_some()) + usize::from(self.profile)
    }

    /// Where `column` is in a row, if this dump has it.
    pub fn index(&self, column: Column) -> Option<usize> {
        let valued = 2 * usize::from(self.currency.is_some());
        match column {
            Column::FetchedAt => Some(0),
            Column::Asset => Some(1),
            Column::Balance => Some(3),
            Column::Precision => Some(8),
            Column::Price => self.currency.as_ref().map(|_| BASE.len()),
            Column::Value => self.currency.as_ref().map(|_| BASE.len() + 1),
            Column::Profile => self.profile.then_some(BASE.len() + valued),
        }
    }

    /// The columns a header line names, if it is one the tool writes.
    pub fn of(names: &[&str]) -> Option<Columns> {
        let rest = names.strip_prefix(&BASE[..])?;
        let (currency, rest) = match rest {
            [price, value, tail @ ..] if valued(price, value).is_some() => {
                (valued(price, value).map(str::to_owned), tail)
            }
            _ => (None, rest),
        };
        let profile = match rest {
            [] => false,
            [name] if *name == PROFILE => true,
            _ => return None,
        };
        Some(Columns { currency, profile })
    }

    /// The layouts a row of `len` fields could have been written with,
    /// valued ones in TRY (for a message about a dump without its header).
    pub fn of_len(len: usize) -> Vec<Columns> {
        let mut all = Vec::new();
        for currency in [None, Some("try".to_owned())] {
            for profile in [false, true] {
                let columns = Columns {
                    currency: currency.clone(),
                    profile,
                };
                if columns.len() == len {
                    all.push(columns);
                }
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_the_same_columns() {
        for currency in [None, Some("try".to_owned()), Some("usdt".to_owned())] {
            for profile in [false, true] {
                let columns = Columns {
                    currency: currency.clone(),
                    profile,
                };
                let names = columns.names();
                assert_eq!(names.len(), columns.len());
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                assert_eq!(Columns::of(&refs), Some(columns.clone()));
                for column in [Column::Price, Column::Value, Column::Profile] {
                    if let Some(i) = columns.index(column) {
                        assert!(names[i].starts_with(match column {
                            Column::Price => "price_",
                            Column::Value => "value_",
                            _ => "profile",
                        }));
                    }
                }
            }
        }
    }

    #[test]
    fn other_headers_are_not_dumps() {
        for header in [
            &["fetched_at", "asset"][..],
            &BASE[..8],
            &[&BASE[..], &["price_try", "value_usdt"]].concat(),
            &[&BASE[..], &["profile", "extra"]].concat(),
            &[&BASE[..], &["price_", "value_"]].concat(),
        ] {
            assert_eq!(Columns::of(header), None, "{header:?}");
        }
    }
}
