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

/// The TLS failure of a request, where it is one: ureq reports it itself,
/// or inside the I/O error of the handshake.
pub fn failure(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

/// A TLS failure as an error in words: a rejected certificate, or a server
/// that does not speak TLS at all (a plain http server answers the
/// handshake with bytes that are no TLS record). `None`: another failure.
pub fn error(url: &str, e: &rustls::Error) -> Option<Error> {
    match e {
        rustls::Error::InvalidCertificate(problem) => Some(certificate_error(url, problem)),
        rustls::Error::InvalidMessage(_) => Some(Error::NotTls {
            url: url.to_owned(),
        }),
        _ => None,
    }
}

/// A rejected certificate as an error that says why, in words.
fn certificate_error(url: &str, problem: &rustls::CertificateError) -> Error {
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
