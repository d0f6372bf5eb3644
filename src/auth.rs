//! Request signing, as the API page gives it: `X-Signature` is
//! base64(HMAC-SHA256(key = base64-decoded secret, message = key + stamp)).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use sha2::Sha256;

use crate::error::{Error, Result};

/// The account's API key pair. The decoded secret is zeroed when dropped and
/// `Debug` prints it as `[REDACTED]`.
#[derive(Debug)]
pub struct Credentials {
    key: String,
    secret: SecretSlice<u8>,
}

/// The three authentication headers of one request.
pub struct Signed {
    pub stamp: i64,
    pub signature: String,
}

impl Credentials {
    /// `origin` names where the secret came from, for the error message; the
    /// secret itself (and the base64 decoder's report, which quotes a byte of
    /// it) never reaches the message.
    pub fn new(key: String, secret: &SecretString, origin: &str) -> Result<Self> {
        let decoded = STANDARD
            .decode(secret.expose_secret().trim())
            .map_err(|_| Error::BadSecret {
                origin: origin.to_owned(),
            })?;
        Ok(Credentials {
            key,
            secret: SecretSlice::from(decoded),
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key shortened for logs: its first four characters.
    pub fn key_hint(&self) -> String {
        crate::text::preview(&self.key)
    }

    /// Signs a request with the given Unix time in milliseconds.
    pub fn sign(&self, stamp: i64) -> Signed {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose_secret())
            .expect("HMAC accepts keys of any length");
        mac.update(self.key.as_bytes());
        mac.update(stamp.to_string().as_bytes());
        Signed {
            stamp,
            signature: STANDARD.encode(mac.finalize().into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(key: &str, secret: &str) -> Credentials {
        Credentials::new(key.into(), &SecretString::from(secret), "test").expect("valid secret")
    }

    #[test]
    fn signs_the_documented_vector() {
        let c = creds(
            "5f8c1e2a-0000-4bd1-9e3f-a1b2c3d4e5f6",
            "YnRjdHVyay1iYWwgdGVzdCB2ZWN0b3Igc2VjcmV0",
        );
        assert_eq!(
            c.sign(1_700_000_000_000).signature,
            "/0HsOIV9qR6HRPyjUL/DyWpyqt1+aHRI1XilFoiFGok="
        );
    }

    #[test]
    fn signs_the_python_cross_checked_vector() {
        let c = creds("pub", "c2VjcmV0");
        assert_eq!(
            c.sign(1_700_000_000_000).signature,
            "//QvD27E9JywiuhAjPyyzFdiE2mDZhXg5cZCBsVCP+s="
        );
    }

    #[test]
    fn bad_base64_names_the_origin_never_the_secret() {
        let err = Credentials::new(
            "k".into(),
            &SecretString::from("sec-ret!"),
            "BTCTURK_API_SECRET",
        )
        .expect_err("not base64");
        let text = format!("{err} {err:?} {:?}", err.hint());
        assert!(text.contains("BTCTURK_API_SECRET"), "{text}");
        assert!(!text.contains("sec-ret"), "{text}");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let c = creds("key1", "c2VjcmV0");
        let text = format!("{c:?}");
        assert!(text.contains("REDACTED") && !text.contains("115"), "{text}");
    }
}
