//! TLS: which certificate authorities a connection trusts (the system's
//! store, as curl and git use it), and what a rejected certificate means,
//! in words.

use std::sync::OnceLock;

use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::error::Error;

/// The TLS settings of every HTTPS request: certificates are always
/// verified, against the system's trust store (`SSL_CERT_FILE` and
/// `SSL_CERT_DIR` name others), so that a company's TLS-inspecting proxy
/// whose authority the system trusts works; where the system has no store,
/// against Mozilla's roots built in. Read once a run.
pub fn config() -> TlsConfig {
    static ROOTS: OnceLock<RootCerts> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let certs: Vec<Certificate<'static>> = found
            .certs
            .iter()
            .map(|der| Certificate::from_der(der).to_owned())
            .collect();
        if certs.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::new_with_certs(&certs)
        }
    });
    TlsConfig::builder().root_certs(roots.clone()).build()
}

/// The certificate problem inside a handshake's I/O error, if that is what
/// it is.
pub fn rejected_certificate(io: &std::io::Error) -> Option<&rustls::CertificateError> {
    match io.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(problem) => Some(problem),
        _ => None,
    }
}

/// A rejected certificate as an error that says why, in words.
pub fn certificate_error(url: &str, problem: &rustls::CertificateError) -> Error {
    Error::Certificate {
        url: url.to_owned(),
        cause: words(problem),
    }
}

fn words(problem: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match problem {
        C::UnknownIssuer => {
            "issued by an authority the trust store does not know (self-signed?)".into()
        }
        C::Expired | C::ExpiredContext { .. } => "expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "not valid yet (check the clock)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "not valid for this host name".into()
        }
        C::Revoked => "revoked".into(),
        C::BadSignature => "its signature does not verify".into(),
        C::BadEncoding => "not a well-formed certificate".into(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => "not meant for a TLS server".into(),
        C::UnhandledCriticalExtension => {
            "it has a critical extension this client does not understand".into()
        }
        C::Other(other) => match other.to_string().as_str() {
            "CaUsedAsEndEntity" => {
                "the server presents a certificate authority's own certificate as its certificate"
                    .into()
            }
            name => spaced(name),
        },
        other => spaced(&format!("{other:?}")),
    }
}

/// `CaUsedAsEndEntity` as "ca used as end entity": a name made readable.
fn spaced(name: &str) -> String {
    let name: String = name.chars().take_while(|c| c.is_alphanumeric()).collect();
    let mut out = String::new();
    for c in name.chars() {
        if c.is_uppercase() && !out.is_empty() {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    format!("rejected ({out})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_words() {
        assert_eq!(
            spaced("UnknownRevocationStatus"),
            "rejected (unknown revocation status)"
        );
        assert_eq!(spaced("Other(OtherError(X))"), "rejected (other)");
    }
}
