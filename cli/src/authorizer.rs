//! The authorizer: `rcauth serve` as the external authorizer of a gateway
//! (nginx `auth_request`, Traefik `forwardAuth`, Envoy HTTP `ext_authz`).
//!
//! The gateway asks about each request it receives; the answer is the
//! verifier's, with the same rules, allow lists, trusted proxies and system
//! log as a request sent to `/v1` directly:
//!
//! | path | gateway | the original method and URI |
//! |---|---|---|
//! | `/auth/nginx` | nginx `auth_request` | `X-Original-Method`, `X-Original-URI` (set in the gateway's config) |
//! | `/auth/traefik` | Traefik `forwardAuth` | `X-Forwarded-Method`, `X-Forwarded-Uri` (Traefik sets them) |
//! | `/auth/envoy/...` | Envoy HTTP `ext_authz` with `path_prefix: /auth/envoy` | the check request's own method, and its path after the prefix |
//!
//! Each path reads only its own gateway's headers, so a client cannot pick
//! which header names the logged method and path.
//!
//! - 200: authenticated, with the [identity headers](IDENTITY_HEADERS) for
//!   the gateway to pass upstream;
//! - 401, 403, 503: the verifier's answer, with the API's JSON error body;
//! - 400: the gateway sent no original method or URI (its configuration
//!   is wrong); the request is refused, never authenticated without them.
//!
//! The source IP is the peer's (the gateway's), or what `X-Forwarded-For`
//! says when the peer is one of `serve --trusted-proxy`: the core's rule.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use redis_cloud_auth::api::ErrorBody;
use redis_cloud_auth::layer::{error_response, failure_response};
use redis_cloud_auth::verify::{AuthRequest, Principal, PrincipalRef, Verifier};

use crate::emulator::Authentication;

/// Where Envoy's `ext_authz` sends its check requests (its `path_prefix`).
pub const ENVOY_PREFIX: &str = "/auth/envoy";

/// The account id, in decimal.
pub const ACCOUNT_ID_HEADER: &str = "x-rcauth-account-id";
/// The account's name.
pub const ACCOUNT_NAME_HEADER: &str = "x-rcauth-account-name";
/// The user key's name.
pub const KEY_NAME_HEADER: &str = "x-rcauth-key-name";
/// The key owner's user id, in decimal.
pub const OWNER_ID_HEADER: &str = "x-rcauth-owner-id";
/// The key owner's name.
pub const OWNER_NAME_HEADER: &str = "x-rcauth-owner-name";
/// The key owner's email.
pub const OWNER_EMAIL_HEADER: &str = "x-rcauth-owner-email";
/// The source IP the verifier decided on (after trusted proxies).
pub const SOURCE_IP_HEADER: &str = "x-rcauth-source-ip";

/// Every identity header a 200 carries, all with the `x-rcauth-` prefix.
/// Text values are UTF-8, percent-encoded outside printable ASCII (and
/// `%`, `+` themselves), so a plain-ASCII name arrives unchanged.
pub const IDENTITY_HEADERS: [&str; 7] = [
    ACCOUNT_ID_HEADER,
    ACCOUNT_NAME_HEADER,
    KEY_NAME_HEADER,
    OWNER_ID_HEADER,
    OWNER_NAME_HEADER,
    OWNER_EMAIL_HEADER,
    SOURCE_IP_HEADER,
];

/// The gateway asking: where it puts the original request's method and URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gateway {
    /// nginx `auth_request`: `X-Original-Method` and `X-Original-URI`.
    Nginx,
    /// Traefik `forwardAuth`: `X-Forwarded-Method` and `X-Forwarded-Uri`.
    Traefik,
    /// Envoy HTTP `ext_authz`: the check request's method, and its path
    /// after [`ENVOY_PREFIX`].
    Envoy,
}

/// The original request, as the gateway describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original<'a> {
    /// Its method.
    pub method: &'a str,
    /// Its path, without the query: what the system log records for a
    /// direct request.
    pub path: &'a str,
}

impl Gateway {
    /// The original request's method and path, from the check request the
    /// gateway sent; an error body when the gateway left them out.
    pub fn original<'a>(
        self,
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
    ) -> Result<Original<'a>, ErrorBody> {
        let (method_header, uri_header) = match self {
            Gateway::Nginx => ("x-original-method", "x-original-uri"),
            Gateway::Traefik => ("x-forwarded-method", "x-forwarded-uri"),
            Gateway::Envoy => {
                // The router sends only `ENVOY_PREFIX` and `ENVOY_PREFIX/...` here.
                let path = uri.path().strip_prefix(ENVOY_PREFIX).unwrap_or_default();
                let path = if path.is_empty() { "/" } else { path };
                return Ok(Original {
                    method: method.as_str(),
                    path,
                });
            }
        };
        let method = single_text(headers, method_header)?;
        let token = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if method.is_empty() || !method.bytes().all(token) {
            return Err(misconfigured(format!(
                "the gateway's {method_header} header is not an HTTP method"
            )));
        }
        let uri = single_text(headers, uri_header)?;
        Ok(Original {
            method,
            path: uri_path(uri).ok_or_else(|| {
                misconfigured(format!(
                    "the gateway's {uri_header} header is not a request URI"
                ))
            })?,
        })
    }
}

/// The path of a request target (`/a/b?q`, or `http://host/a/b?q`).
fn uri_path(target: &str) -> Option<&str> {
    if target.starts_with('/') {
        let end = target.find(['?', '#']).unwrap_or(target.len());
        return Some(&target[..end]);
    }
    // Absolute form: the path starts after `scheme://authority`.
    let rest = target.split_once("://")?.1;
    match rest.find(['/', '?', '#']) {
        Some(start) if rest[start..].starts_with('/') => uri_path(&rest[start..]),
        _ => Some("/"),
    }
}

/// The one text value of `name`: missing, repeated or non-text is an error.
fn single_text<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ErrorBody> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => value
            .to_str()
            .map_err(|_| misconfigured(format!("the gateway's {name} header is not text"))),
        (None, _) => Err(misconfigured(format!(
            "the gateway sent no {name} header; see docs/gateways.md"
        ))),
        (Some(_), Some(_)) => Err(misconfigured(format!(
            "the gateway sent {name} more than once"
        ))),
    }
}

fn misconfigured(message: String) -> ErrorBody {
    ErrorBody {
        error: "bad_request".into(),
        message,
        status: 400,
    }
}

/// What the authorizer's handlers share.
#[derive(Debug)]
struct Authorizer {
    verifier: Arc<Verifier>,
    /// `serve --bench-no-auth`: every well-formed check request gets this
    /// principal's identity headers, the verifier is not asked.
    fixed: Option<Principal>,
}

/// The authorizer's routes over `verifier`, to merge into the server's
/// router (served with `ConnectInfo<SocketAddr>`). With
/// [`Authentication::Off`] they answer as its principal without
/// authenticating: only for measuring the authorizer against a baseline.
pub fn router(verifier: Arc<Verifier>, authentication: Authentication) -> Router {
    let fixed = match authentication {
        Authentication::Verifier => None,
        Authentication::Off(principal) => Some(principal),
    };
    Router::new()
        .route("/auth/nginx", any(nginx))
        .route("/auth/traefik", any(traefik))
        .route(ENVOY_PREFIX, any(envoy))
        .route(&format!("{ENVOY_PREFIX}/{{*path}}"), any(envoy))
        .with_state(Arc::new(Authorizer { verifier, fixed }))
}

/// Decides the original request the gateway describes: the identity
/// headers on success, the verifier's error answer otherwise.
pub fn decide(
    verifier: &Verifier,
    gateway: Gateway,
    peer: SocketAddr,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    let original = match gateway.original(method, uri, headers) {
        Ok(original) => original,
        Err(body) => {
            tracing::warn!(?gateway, message = %body.message, "authorization request refused");
            return error_response(body);
        }
    };
    let request = AuthRequest::from_header_map(original.method, original.path, headers, peer.ip());
    match verifier.authenticate_with(&request, identity_headers) {
        Ok(identity) => (StatusCode::OK, identity).into_response(),
        Err(failure) => failure_response(&failure),
    }
}

/// The identity headers of a principal.
pub fn identity_headers(principal: PrincipalRef<'_>) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(IDENTITY_HEADERS.len());
    let mut put = |name: &'static str, value: HeaderValue| {
        headers.insert(HeaderName::from_static(name), value);
    };
    put(ACCOUNT_ID_HEADER, HeaderValue::from(principal.account_id));
    put(ACCOUNT_NAME_HEADER, text_value(principal.account_name));
    put(KEY_NAME_HEADER, text_value(principal.key_name));
    put(OWNER_ID_HEADER, HeaderValue::from(principal.user_id));
    put(OWNER_NAME_HEADER, text_value(principal.owner_name));
    put(OWNER_EMAIL_HEADER, text_value(principal.owner_email));
    put(
        SOURCE_IP_HEADER,
        text_value(&principal.source_ip.to_string()),
    );
    headers
}

/// `text` as a header value: printable ASCII as is, every other byte (and
/// `%`, `+`) percent-encoded, so any UTF-8 name survives every gateway.
pub fn text_value(text: &str) -> HeaderValue {
    let plain = |b: u8| (b' '..=b'~').contains(&b) && b != b'%' && b != b'+';
    let encoded = if text.bytes().all(plain) {
        std::borrow::Cow::Borrowed(text)
    } else {
        let mut encoded = String::with_capacity(text.len() * 3);
        for b in text.bytes() {
            if plain(b) {
                encoded.push(char::from(b));
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        std::borrow::Cow::Owned(encoded)
    };
    // Printable ASCII only, so always a valid value.
    HeaderValue::from_str(&encoded).unwrap_or(HeaderValue::from_static(""))
}

/// The baseline's answer: the original request is read as [`decide`] reads
/// it, then `principal`'s identity headers, with no authentication.
fn fixed_answer(principal: &Principal, gateway: Gateway, request: &Request) -> Response {
    if let Err(body) = gateway.original(request.method(), request.uri(), request.headers()) {
        return error_response(body);
    }
    let identity = identity_headers(PrincipalRef {
        account_id: principal.account_id,
        account_name: &principal.account_name,
        user_id: principal.user_id,
        owner_name: &principal.owner_name,
        owner_email: &principal.owner_email,
        key_name: &principal.key_name,
        source_ip: principal.source_ip,
        key_serial: 0,
    });
    (StatusCode::OK, identity).into_response()
}

/// [`decide`] on a check request as the router hands it over (headers not
/// copied); the peer address comes from `ConnectInfo<SocketAddr>`.
fn answer(state: &Authorizer, gateway: Gateway, request: &Request) -> Response {
    if let Some(principal) = &state.fixed {
        return fixed_answer(principal, gateway, request);
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return error_response(ErrorBody {
            error: "internal_error".into(),
            message: "the server cannot see the peer address".into(),
            status: 500,
        });
    };
    decide(
        &state.verifier,
        gateway,
        *peer,
        request.method(),
        request.uri(),
        request.headers(),
    )
}

async fn nginx(State(state): State<Arc<Authorizer>>, request: Request) -> Response {
    answer(&state, Gateway::Nginx, &request)
}

async fn traefik(State(state): State<Arc<Authorizer>>, request: Request) -> Response {
    answer(&state, Gateway::Traefik, &request)
}

async fn envoy(State(state): State<Arc<Authorizer>>, request: Request) -> Response {
    answer(&state, Gateway::Envoy, &request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis_cloud_auth::verify::Role;
    use redis_cloud_auth::Secret;

    struct Fixture {
        verifier: Verifier,
        account: u64,
        account_key: Secret,
        user_key: Secret,
    }

    fn fixture() -> Fixture {
        let verifier = Verifier::in_memory();
        let account = verifier.create_account("Acmé Corp").unwrap();
        let ada = verifier
            .add_user(account, "Ada Lovelace", "ada@example.com", Role::Owner)
            .unwrap();
        let account_key = verifier.enable_api(account).unwrap().unwrap();
        let user_key = verifier
            .create_user_key(account, ada, ada, "gateway-unit-key", &["10.0.0.0/8"])
            .unwrap();
        Fixture {
            verifier,
            account,
            account_key,
            user_key,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ask(
        f: &Fixture,
        gateway: Gateway,
        peer: &str,
        uri: &str,
        extra: &[(&str, &str)],
    ) -> Response {
        let mut pairs = vec![
            ("x-api-key", f.account_key.expose()),
            ("x-api-secret-key", f.user_key.expose()),
        ];
        pairs.extend_from_slice(extra);
        let uri: Uri = uri.parse().unwrap();
        decide(
            &f.verifier,
            gateway,
            peer.parse().unwrap(),
            &Method::GET,
            &uri,
            &headers(&pairs),
        )
    }

    fn resources(f: &Fixture) -> Vec<String> {
        f.verifier.flush_system_log().unwrap();
        let mut entries = f.verifier.system_log(f.account, 0, 100).unwrap();
        entries.reverse();
        entries.into_iter().map(|e| e.resource).collect()
    }

    #[test]
    fn request_paths_drop_the_query() {
        assert_eq!(uri_path("/orders/7?expand=1#x"), Some("/orders/7"));
        assert_eq!(uri_path("/"), Some("/"));
        assert_eq!(uri_path("http://shop.example/orders?x"), Some("/orders"));
        assert_eq!(uri_path("http://shop.example?x"), Some("/"));
        assert_eq!(uri_path("orders"), None);
    }

    #[test]
    fn each_gateway_reads_only_its_own_headers() {
        let both = headers(&[
            ("x-original-method", "POST"),
            ("x-original-uri", "/from/nginx?q=1"),
            ("x-forwarded-method", "DELETE"),
            ("x-forwarded-uri", "/from/traefik"),
        ]);
        let get = Method::GET;
        let uri: Uri = "/auth/envoy/from/envoy?z".parse().unwrap();
        let of = |g: Gateway| g.original(&get, &uri, &both).unwrap();
        assert_eq!(
            of(Gateway::Nginx),
            Original {
                method: "POST",
                path: "/from/nginx"
            }
        );
        assert_eq!(
            of(Gateway::Traefik),
            Original {
                method: "DELETE",
                path: "/from/traefik"
            }
        );
        assert_eq!(
            of(Gateway::Envoy),
            Original {
                method: "GET",
                path: "/from/envoy"
            }
        );
        let bare: Uri = "/auth/envoy".parse().unwrap();
        assert_eq!(
            Gateway::Envoy.original(&get, &bare, &both).unwrap().path,
            "/"
        );
    }

    #[test]
    fn missing_repeated_or_odd_original_headers_are_refused() {
        let get = Method::GET;
        let uri: Uri = "/auth/nginx".parse().unwrap();
        let refused = |pairs: &[(&str, &str)]| {
            Gateway::Nginx
                .original(&get, &uri, &headers(pairs))
                .unwrap_err()
        };
        let err = refused(&[("x-original-method", "GET")]);
        assert_eq!((err.status, err.error.as_str()), (400, "bad_request"));
        assert!(err.message.contains("x-original-uri"), "{}", err.message);
        let err = refused(&[("x-original-uri", "/a")]);
        assert!(err.message.contains("x-original-method"), "{}", err.message);
        let err = refused(&[
            ("x-original-method", "GET"),
            ("x-original-uri", "/a"),
            ("x-original-uri", "/b"),
        ]);
        assert!(err.message.contains("more than once"), "{}", err.message);
        let err = refused(&[("x-original-method", "GET /x"), ("x-original-uri", "/a")]);
        assert!(
            err.message.contains("not an HTTP method"),
            "{}",
            err.message
        );
        let err = refused(&[("x-original-method", "GET"), ("x-original-uri", "a")]);
        assert!(err.message.contains("not a request URI"), "{}", err.message);
    }

    #[test]
    fn success_carries_identity_headers_and_logs_the_original_request() {
        let f = fixture();
        let nginx = [
            ("x-original-method", "PUT"),
            ("x-original-uri", "/orders/7?x=1"),
        ];
        let response = ask(&f, Gateway::Nginx, "10.1.2.3:5000", "/auth/nginx", &nginx);
        assert_eq!(response.status(), 200);
        let got = |name: &str| response.headers()[name].to_str().unwrap().to_string();
        assert_eq!(got(ACCOUNT_ID_HEADER), f.account.to_string());
        assert_eq!(got(ACCOUNT_NAME_HEADER), "Acm%C3%A9 Corp");
        assert_eq!(got(KEY_NAME_HEADER), "gateway-unit-key");
        assert_eq!(got(OWNER_NAME_HEADER), "Ada Lovelace");
        assert_eq!(got(OWNER_EMAIL_HEADER), "ada@example.com");
        assert_eq!(got(SOURCE_IP_HEADER), "10.1.2.3");
        assert!(got(OWNER_ID_HEADER).parse::<u64>().is_ok());

        let traefik = [("x-forwarded-method", "POST"), ("x-forwarded-uri", "/pay")];
        let response = ask(
            &f,
            Gateway::Traefik,
            "10.1.2.3:5000",
            "/auth/traefik",
            &traefik,
        );
        assert_eq!(response.status(), 200);
        let response = ask(
            &f,
            Gateway::Envoy,
            "10.1.2.3:5000",
            "/auth/envoy/ship/9?now",
            &[],
        );
        assert_eq!(response.status(), 200);
        assert_eq!(resources(&f), ["PUT /orders/7", "POST /pay", "GET /ship/9"]);
    }

    #[test]
    fn failures_answer_with_the_api_error_body_and_are_logged() {
        let f = fixture();
        let nginx = [("x-original-method", "GET"), ("x-original-uri", "/outside")];
        // Outside the allow list: 403 with the API's body.
        let response = ask(&f, Gateway::Nginx, "192.0.2.7:5000", "/auth/nginx", &nginx);
        assert_eq!(response.status(), 403);
        assert!(response.headers().get(KEY_NAME_HEADER).is_none());
        let body = body_of(response);
        assert_eq!((body.error.as_str(), body.status), ("forbidden", 403));

        let wrong = [("x-original-method", "GET"), ("x-original-uri", "/wrong")];
        let mut pairs = vec![
            ("x-api-key", f.account_key.expose()),
            ("x-api-secret-key", "NotTheUserKey0000"),
        ];
        pairs.extend_from_slice(&wrong);
        let response = decide(
            &f.verifier,
            Gateway::Nginx,
            "10.1.2.3:5000".parse().unwrap(),
            &Method::GET,
            &"/auth/nginx".parse().unwrap(),
            &headers(&pairs),
        );
        assert_eq!(response.status(), 401);
        let body = body_of(response);
        assert_eq!((body.error.as_str(), body.status), ("unauthorized", 401));
        assert_eq!(resources(&f), ["GET /outside", "GET /wrong"]);
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_gateway() {
        let f = fixture();
        let nginx = [
            ("x-original-method", "GET"),
            ("x-original-uri", "/"),
            ("x-forwarded-for", "10.9.9.9"),
        ];
        // The gateway is not trusted: its own address is the source.
        let response = ask(&f, Gateway::Nginx, "192.0.2.1:5000", "/auth/nginx", &nginx);
        assert_eq!(response.status(), 403);
        f.verifier
            .set_trusted_proxies(vec!["192.0.2.1/32".parse().unwrap()]);
        let response = ask(&f, Gateway::Nginx, "192.0.2.1:5000", "/auth/nginx", &nginx);
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[SOURCE_IP_HEADER], "10.9.9.9");
        // Another peer's X-Forwarded-For is still ignored.
        let response = ask(&f, Gateway::Nginx, "192.0.2.2:5000", "/auth/nginx", &nginx);
        assert_eq!(response.status(), 403);
    }

    #[test]
    fn header_values_keep_ascii_and_encode_the_rest() {
        assert_eq!(text_value("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(text_value("Zoë"), "Zo%C3%AB");
        assert_eq!(text_value("50%+1"), "50%25%2B1");
    }

    fn body_of(response: Response) -> ErrorBody {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), 1 << 16))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}
