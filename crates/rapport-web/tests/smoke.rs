mod common;

#[tokio::test]
async fn the_server_answers_health_checks() {
    let app = common::spawn_app().await;
    let r = common::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let u = app.signup("client").await;
    assert_eq!(u.get(&app, "/api/v1/me").await.status(), 200);
}
