//! The dashboard pages as the server renders them: real numbers in the HTML
//! (readable without JavaScript), hostile values as text, the empty state with
//! the snippet, and the share page only while the site is public.

mod common;

use axum::http::{Method, StatusCode, header};
use chrono::Utc;
use common::{app, create_site, get_as, plausible_beacons, send, sign_up};
use pagepulse_core::testing::{TestDb, insert_pageview};

const HTML: (&str, &str) = ("accept", "text/html");

/// A signed-up owner's cookie and the id of their site, which has one
/// pageview now.
async fn owner_with_a_pageview(t: &TestDb, app: &axum::Router) -> (String, String) {
    let cookie = sign_up(app, "ada@example.com").await;
    let site = create_site(app, &cookie, "Shop", "shop.example").await;
    let id = site["id"].as_str().unwrap().to_owned();
    let now = Utc::now().timestamp_millis();
    insert_pageview(&t.db, id.parse().unwrap(), now, "/").await;
    (cookie, id)
}

/// The text of a summary card's value, as rendered.
fn card_value<'a>(body: &'a str, card: &str) -> &'a str {
    let card = body
        .split(&format!("data-testid=\"stat-{card}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {card} card"));
    let value = card.split("data-testid=\"value\"").nth(1).unwrap();
    let text = &value[value.find('>').unwrap() + 1..];
    &text[..text.find('<').unwrap()]
}

#[tokio::test]
async fn the_dashboard_is_rendered_with_its_numbers_and_hostile_paths_as_text() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let id = site["id"].as_str().unwrap();

        // Before any event: the snippet, not a wall of zeros.
        let empty = get_as(&app, &format!("/sites/{id}"), &cookie).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(empty.body.contains("data-testid=\"empty-state\""));
        assert!(
            empty.body.contains(&format!("data-site=&quot;{id}&quot;"))
                || empty.body.contains(&format!("data-site=\"{id}\"")),
            "the snippet is shown"
        );

        let now = Utc::now().timestamp_millis();
        let hostile = "/<img src=x onerror=alert(1)>";
        for path in ["/", "/pricing", hostile] {
            insert_pageview(&t.db, id.parse().unwrap(), now, path).await;
        }
        let page = get_as(&app, &format!("/sites/{id}?period=today"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = &page.body;
        assert!(body.contains("data-testid=\"stat-pageviews\""), "{body}");
        assert_eq!(card_value(body, "pageviews"), "3");
        assert_eq!(card_value(body, "visitors"), "1");
        assert!(
            !body.contains("<img src=x"),
            "markup from a visitor is escaped"
        );
        assert!(body.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(body.contains("Top sources") && body.contains("Direct / None"));
        // Filter links carry the value percent-encoded.
        assert!(
            body.contains("?period=today&amp;page=%2Fpricing")
                || body.contains("?period=today&page=%2Fpricing"),
            "row links filter"
        );

        // A bad query is a 400 that says why, not a crash.
        let bad = get_as(&app, &format!("/sites/{id}?period=fortnight"), &cookie).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("unknown period"), "{}", bad.body);

        // Someone else's dashboard does not exist for them.
        let other = sign_up(&app, "bob@example.com").await;
        let theirs = get_as(&app, &format!("/sites/{id}"), &other).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        t.teardown().await;
    }
}

#[tokio::test]
async fn custom_events_and_the_selected_event_s_properties_are_rendered() {
    for t in TestDb::all().await {
        let app = app(&t);
        let cookie = sign_up(&app, "ada@example.com").await;
        let site = create_site(&app, &cookie, "Shop", "shop.example").await;
        let id = site["id"].as_str().unwrap();
        plausible_beacons(
            &app,
            &[
                r#"{"n":"pageview","u":"https://shop.example/","d":"shop.example"}"#,
                r#"{"n":"Signup","u":"https://shop.example/","d":"shop.example","p":{"plan":"pro"}}"#,
            ],
        )
        .await;
        let page = get_as(&app, &format!("/sites/{id}?period=today"), &cookie).await;
        let body = &page.body;
        assert!(body.contains("data-testid=\"table-event\""), "{body}");
        assert!(
            body.contains("?period=today&amp;event=Signup")
                || body.contains("?period=today&event=Signup"),
            "an event's row filters by it"
        );
        assert!(!body.contains("Properties of"));
        let page = get_as(
            &app,
            &format!("/sites/{id}?period=today&event=Signup"),
            &cookie,
        )
        .await;
        assert!(page.body.contains("Properties of Signup"), "{}", page.body);
        assert!(page.body.contains("plan: pro"), "{}", page.body);
        t.teardown().await;
    }
}

#[tokio::test]
async fn the_share_page_is_readable_signed_out_only_while_public() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let (cookie, id) = owner_with_a_pageview(&t, &app).await;
    let id = id.as_str();

    let private = send(&app, Method::GET, &format!("/share/{id}"), &[HTML], None).await;
    assert_eq!(private.status, StatusCode::NOT_FOUND);
    assert!(!private.body.contains("stat-pageviews"));

    let body = r#"{"public":true}"#;
    let patch = send(
        &app,
        Method::PATCH,
        &format!("/api/v1/sites/{id}"),
        &[("cookie", &cookie)],
        Some(body),
    )
    .await;
    assert_eq!(patch.status, StatusCode::OK);
    let shared = send(
        &app,
        Method::GET,
        &format!("/share/{id}?period=7d"),
        &[HTML],
        None,
    )
    .await;
    assert_eq!(shared.status, StatusCode::OK);
    assert!(shared.body.contains("data-testid=\"stat-pageviews\""));
    assert!(
        !shared.body.contains("Export CSV"),
        "read-only: no export link"
    );
    assert!(
        !shared.body.contains("/settings"),
        "read-only: no settings link"
    );
    assert!(
        shared.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("'nonce-")
    );
    t.teardown().await;
}

/// The count an open dashboard refreshes every minute, without its report.
#[tokio::test]
async fn the_realtime_refresh_answers_only_who_may_read_the_site() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let cookie = sign_up(&app, "ada@example.com").await;
    let site = create_site(&app, &cookie, "Shop", "shop.example").await;
    let id = site["id"].as_str().unwrap();
    let now = Utc::now().timestamp_millis();
    insert_pageview(&t.db, id.parse().unwrap(), now - 60_000, "/").await;
    insert_pageview(&t.db, id.parse().unwrap(), now - 600_000, "/old").await;
    let path = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .find(|p| p.contains("get_realtime"))
        .expect("the get_realtime server function is registered");
    let ask = |shared: bool, cookie: &str, query: &str| {
        let body = format!("id={id}&shared={shared}&query={query}");
        let cookie = cookie.to_owned();
        let (app, path) = (app.clone(), path.clone());
        async move { post_form(&app, &path, &cookie, &body).await }
    };
    let own = ask(false, &cookie, "period%3D7d").await;
    assert_eq!(
        (own.status, own.body.as_str()),
        (StatusCode::OK, "1"),
        "one visitor in the last 5 minutes"
    );
    let filtered = ask(false, &cookie, "page%3D%2Fold").await;
    assert_eq!(filtered.body, "0", "filters apply");
    assert_eq!(ask(false, "", "").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        ask(true, "", "").await.status,
        StatusCode::NOT_FOUND,
        "not public yet"
    );
    let body = r#"{"public":true}"#;
    send(
        &app,
        Method::PATCH,
        &format!("/api/v1/sites/{id}"),
        &[("cookie", &cookie)],
        Some(body),
    )
    .await;
    let shared = ask(true, "", "").await;
    assert_eq!((shared.status, shared.body.as_str()), (StatusCode::OK, "1"));
    t.teardown().await;
}

/// A server function call as the browser makes it: a form post, with a session
/// cookie or without one.
async fn post_form(app: &axum::Router, path: &str, cookie: &str, body: &str) -> common::Reply {
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    send(app, Method::POST, path, &headers, Some(body)).await
}

/// Every render of the dashboard ends, its numbers or its error alike, while
/// other routers are built in the same process (as the tests build theirs):
/// building one works out the pages' routes with resource loading switched
/// off process-wide, which once left a render under way waiting for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_render_of_the_dashboard_ends() {
    let t = TestDb::sqlite().await;
    let app = app(&t);
    let (cookie, id) = owner_with_a_pageview(&t, &app).await;
    for round in 0..10 {
        let renders: Vec<_> = (0..20)
            .map(|i| {
                let (app, cookie) = (app.clone(), cookie.clone());
                let period = if i % 2 == 0 { "today" } else { "fortnight" };
                let uri = format!("/sites/{id}?period={period}");
                tokio::spawn(async move {
                    let wait = std::time::Duration::from_secs(20);
                    let reply = tokio::time::timeout(wait, get_as(&app, &uri, &cookie)).await;
                    (period, reply.map(|r| r.status))
                })
            })
            .collect();
        // Meanwhile this thread builds more routers, as tests running beside
        // this one do.
        for _ in 0..3 {
            drop(common::app(&t));
        }
        for render in futures::future::join_all(renders).await {
            let (period, status) = render.unwrap();
            let expected = if period == "today" {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            assert_eq!(status, Ok(expected), "round {round}, period {period}");
        }
    }
    t.teardown().await;
}
