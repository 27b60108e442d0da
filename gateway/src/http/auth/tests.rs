//! The authentication layer's unit tests: tokens minted by the dev identity provider verify
//! and bad ones are refused, keys come from a JWKS URL, the configuration is checked, the Host
//! allow-list, and the layer's order of checks.

use super::{middleware::BoxError, *};
use crate::{
	config::AuthConfig,
	dev::idp::{dev_idp_keygen, mint_token, TokenSpec},
	error::codes,
	flows::caller::{scopes, Caller},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use http::{header, Method, StatusCode};
use http_body_util::BodyExt as _;
use jsonrpsee::server::{HttpBody, HttpResponse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
	task::{Context, Poll},
};
use tower::{Layer as _, Service as _};

const ISS: &str = "https://idp.h0001.example";
const AUD: &str = "healthchain-gateway";

/// A dev key pair in a temporary directory, and a verifier for it.
async fn setup(dir: &Path) -> (PathBuf, Verifier) {
	let (key, jwks) = (dir.join("idp.key"), dir.join("jwks.json"));
	dev_idp_keygen(&key, &jwks, "k1").unwrap();
	let config: AuthConfig = toml::from_str(&format!(
		"issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_file = \"{}\"",
		jwks.display()
	))
	.unwrap();
	(key, Verifier::load(&config).await.unwrap())
}

/// Why the verifier refuses a token minted from `spec`.
async fn refused(verifier: &Verifier, key: &Path, spec: TokenSpec) -> AuthError {
	verifier.verify(&mint_token(key, &spec).unwrap()).await.unwrap_err()
}

fn spec() -> TokenSpec {
	TokenSpec {
		issuer: ISS.into(),
		audience: AUD.into(),
		subject: "dr.somchai".into(),
		scopes: vec![scopes::FETCH.into(), scopes::IDENTIFY.into()],
		licence: Some("MD-12345".into()),
		valid_for_secs: 600,
		not_before_in_secs: 0,
		kid: "k1".into(),
	}
}

#[tokio::test]
async fn minted_tokens_verify_and_bad_ones_are_refused() {
	let dir = tempfile::tempdir().unwrap();
	let (key, verifier) = setup(dir.path()).await;
	let caller = verifier.verify(&mint_token(&key, &spec()).unwrap()).await.unwrap();
	assert_eq!(caller.subject, "dr.somchai");
	assert_eq!(caller.licence().unwrap(), "MD-12345");
	assert!(caller.require(scopes::FETCH).is_ok());
	assert_eq!(caller.require(scopes::PUT).unwrap_err().code, codes::FORBIDDEN);
	assert_eq!(caller.client_id, None);

	assert_eq!(
		refused(&verifier, &key, TokenSpec { valid_for_secs: -3600, ..spec() }).await,
		AuthError::Expired
	);
	let early = TokenSpec { not_before_in_secs: 3600, ..spec() };
	assert_eq!(refused(&verifier, &key, early).await, AuthError::NotYetValid);
	let aud = TokenSpec { audience: "other".into(), ..spec() };
	assert_eq!(refused(&verifier, &key, aud).await, AuthError::WrongAudience);
	assert_eq!(verifier.reason(&AuthError::WrongAudience), format!("token audience is not {AUD}"));
	let iss = TokenSpec { issuer: "https://evil.example".into(), ..spec() };
	assert_eq!(refused(&verifier, &key, iss).await, AuthError::WrongIssuer);
	let kid = TokenSpec { kid: "k9".into(), ..spec() };
	assert_eq!(refused(&verifier, &key, kid).await, AuthError::UnknownKey("k9".into()));

	// Another key under the same kid.
	let other = tempfile::tempdir().unwrap();
	let (other_key, _) = setup(other.path()).await;
	let forged = mint_token(&other_key, &spec()).unwrap();
	assert_eq!(verifier.verify(&forged).await.unwrap_err(), AuthError::BadSignature);

	// `none` and HS256 (even "signed" with the public JWKS) are refused.
	let claims = URL_SAFE_NO_PAD
		.encode(json!({"iss": ISS, "aud": AUD, "sub": "x", "exp": 9_999_999_999u64}).to_string());
	let none = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#));
	assert!(
		matches!(verifier.verify(&none).await, Err(AuthError::Malformed(m)) if m.contains("none"))
	);
	let mut hs = Header::new(Algorithm::HS256);
	hs.kid = Some("k1".into());
	let secret = std::fs::read(dir.path().join("jwks.json")).unwrap();
	let hs = jsonwebtoken::encode(
		&hs,
		&json!({"iss": ISS, "aud": AUD, "sub": "x", "exp": 9_999_999_999u64}),
		&EncodingKey::from_secret(&secret),
	)
	.unwrap();
	assert!(
		matches!(verifier.verify(&hs).await, Err(AuthError::Malformed(m)) if m.contains("HS256"))
	);
	assert!(matches!(verifier.verify("not.a-token").await, Err(AuthError::Malformed(_))));
}

/// Serves `body` (read afresh per request) as the answer to every HTTP request.
async fn serve_file(path: PathBuf) -> String {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	tokio::spawn(async move {
		while let Ok((mut sock, _)) = listener.accept().await {
			let mut buf = [0u8; 2048];
			let _ = sock.read(&mut buf).await;
			let body = std::fs::read_to_string(&path).unwrap_or_default();
			let answer = format!(
				"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
				body.len()
			);
			let _ = sock.write_all(answer.as_bytes()).await;
		}
	});
	format!("http://{addr}/jwks.json")
}

#[tokio::test]
async fn keys_come_from_a_jwks_url_and_a_new_kid_is_fetched_again() {
	let dir = tempfile::tempdir().unwrap();
	let (key, jwks) = (dir.path().join("idp.key"), dir.path().join("jwks.json"));
	dev_idp_keygen(&key, &jwks, "k1").unwrap();
	let url = serve_file(jwks.clone()).await;
	let config: AuthConfig =
		toml::from_str(&format!("issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_url = \"{url}\""))
			.unwrap();
	let verifier = Verifier::load(&config).await.unwrap();
	assert!(verifier.verify(&mint_token(&key, &spec()).unwrap()).await.is_ok());
	// The provider rotates to a new key: the JWKS at the URL now holds k2 only.
	let (key2, jwks2) = (dir.path().join("idp2.key"), dir.path().join("jwks2.json"));
	dev_idp_keygen(&key2, &jwks2, "k2").unwrap();
	std::fs::rename(&jwks2, &jwks).unwrap();
	let rotated = mint_token(&key2, &TokenSpec { kid: "k2".into(), ..spec() }).unwrap();
	assert!(verifier.verify(&rotated).await.is_ok(), "an unknown kid fetches the JWKS again");
	// Nothing listens: loading fails with a clear error.
	let gone: AuthConfig = toml::from_str(&format!(
		"issuer = \"{ISS}\"\naudience = \"{AUD}\"\njwks_url = \"http://127.0.0.1:9/jwks\""
	))
	.unwrap();
	assert!(Verifier::load(&gone).await.is_err());
}

#[test]
fn keygen_never_overwrites_and_config_is_checked() {
	let dir = tempfile::tempdir().unwrap();
	let (key, jwks) = (dir.path().join("k"), dir.path().join("j"));
	dev_idp_keygen(&key, &jwks, "k1").unwrap();
	let e = dev_idp_keygen(&key, &dir.path().join("j2"), "k1").unwrap_err();
	assert!(e.contains("never overwritten"), "{e}");
	let c: AuthConfig =
		toml::from_str("issuer = \"i\"\naudience = \"a\"\njwks_url = \"http://idp.lan/jwks\"")
			.unwrap();
	assert_eq!(
		(c.leeway_secs, c.identify_per_minute, c.licence_claim.as_str()),
		(30, 30, "licence")
	);
	assert!(c.validate().unwrap_err().contains("plain http:// only to a loopback address"));
	for ok in ["https://idp.example/jwks", "http://127.0.0.1:8080/jwks", "http://localhost/j"] {
		let c: AuthConfig =
			toml::from_str(&format!("issuer = \"i\"\naudience = \"a\"\njwks_url = \"{ok}\""))
				.unwrap();
		assert!(c.validate().is_ok(), "{ok}");
	}
	assert!(toml::from_str::<AuthConfig>("issuer = \"i\"\naudience = \"a\"\nsurprise = 1").is_err());
}

#[test]
fn host_allow_list() {
	let allowed = vec!["127.0.0.1:8700".to_string(), "Gateway.H0001".into(), "[::1]:8700".into()];
	assert!(host_allowed(Some("127.0.0.1:8700"), &allowed));
	assert!(host_allowed(Some("gateway.h0001:443"), &allowed));
	assert!(host_allowed(Some("[::1]:8700"), &allowed));
	assert!(!host_allowed(Some("127.0.0.1:8701"), &allowed));
	assert!(!host_allowed(Some("evil.example"), &allowed));
	assert!(!host_allowed(Some("[::1]:9"), &allowed));
	assert!(!host_allowed(Some("127.0.0.1:"), &allowed));
	assert!(!host_allowed(None, &allowed));
	let defaults = effective_hosts(&[], "0.0.0.0:8700".parse().unwrap());
	assert_eq!(defaults, ["0.0.0.0:8700", "localhost:8700", "127.0.0.1:8700"]);
	let any_port = effective_hosts(&[], "127.0.0.1:0".parse().unwrap());
	assert!(host_allowed(Some("localhost:41234"), &any_port));
	assert_eq!(effective_hosts(&[], "[::1]:8700".parse().unwrap())[0], "[::1]:8700");
}

/// Answers with the caller's subject.
#[derive(Clone)]
struct Echo;

impl tower::Service<http::Request<HttpBody>> for Echo {
	type Response = HttpResponse;
	type Error = BoxError;
	type Future = std::future::Ready<Result<HttpResponse, BoxError>>;

	fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
		Poll::Ready(Ok(()))
	}

	fn call(&mut self, req: http::Request<HttpBody>) -> Self::Future {
		let who = req.extensions().get::<Caller>().map(|c| c.subject.clone());
		std::future::ready(Ok(http::Response::new(HttpBody::from(who.unwrap_or_default()))))
	}
}

#[tokio::test]
async fn the_layer_checks_host_then_token() {
	let dir = tempfile::tempdir().unwrap();
	let (key, verifier) = setup(dir.path()).await;
	let addr: SocketAddr = "127.0.0.1:8700".parse().unwrap();
	let layer = AuthLayer::new(Arc::new(verifier), Vec::new(), addr);
	let mut svc = layer.layer(Echo);
	let mut send = |method: Method, path: &str, host: &str, token: Option<String>| {
		let mut req = http::Request::builder().method(method).uri(path).header("host", host);
		if let Some(t) = token {
			req = req.header("authorization", format!("Bearer {t}"));
		}
		svc.call(req.body(HttpBody::empty()).unwrap())
	};
	let body = |res: HttpResponse| async move {
		String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
	};
	let res = send(Method::GET, "/health", "evil.example", None).await.unwrap();
	assert_eq!(res.status(), StatusCode::FORBIDDEN);
	assert!(body(res).await.contains(&codes::FORBIDDEN_HOST.to_string()));
	let res = send(Method::GET, "/health", "localhost:8700", None).await.unwrap();
	assert_eq!(res.status(), StatusCode::OK);
	let res = send(Method::POST, "/", "localhost:8700", None).await.unwrap();
	assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
	assert!(res.headers()[header::WWW_AUTHENTICATE].to_str().unwrap().contains("no bearer token"));
	let expired = mint_token(&key, &TokenSpec { valid_for_secs: -3600, ..spec() }).unwrap();
	let res = send(Method::POST, "/", "localhost:8700", Some(expired)).await.unwrap();
	assert!(body(res).await.contains("token expired"));
	let good = mint_token(&key, &spec()).unwrap();
	let res = send(Method::POST, "/", "localhost:8700", Some(good)).await.unwrap();
	assert_eq!(res.status(), StatusCode::OK);
	assert_eq!(body(res).await, "dr.somchai");
}
