//! `rapport demo`'s practice (issue 13): seeded through the service functions, it holds every
//! alliance status, endings enough for pooled feedback, waitlists and a directory; a second
//! start adds nothing; and the demo accounts' pages show it.

mod common;

use common::{backends, spawn_app_with};
use rapport_web::features::demo_data::{self, DEMO_CLIENT, DEMO_PASSWORD, script};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_practice_reaches_every_status_once_and_its_pages_show_it() {
    for backend in backends() {
        let app = spawn_app_with(backend, |_| {}).await;
        let started = std::time::Instant::now();
        let first = demo_data::seed(&app.state).await.unwrap();
        eprintln!("{backend:?}: demo seeded in {:?}", started.elapsed());
        for status in [
            "early",
            "forming",
            "strong",
            "transference",
            "speak_up",
            "reconsider",
            "act_now",
        ] {
            assert!(
                first.statuses.get(status).is_some_and(|n| *n > 0),
                "{backend:?}: no relationship reads {status}: {first:?}"
            );
        }
        assert_eq!(first.therapists, script::THERAPISTS.len());
        assert!(first.therapists >= 3, "{first:?}");
        assert!(first.clients > 30, "{first:?}");
        assert!(first.checkins > 150, "{first:?}");
        assert!(
            first.ruptures.0 > first.ruptures.1 && first.ruptures.1 > 0,
            "{first:?}"
        );
        assert!(first.measures > 50, "{first:?}");
        assert!(first.endings >= 5, "pooled feedback needs five: {first:?}");
        assert!(first.waiting >= 3, "{first:?}");
        assert!(first.appointments >= 5, "{first:?}");
        assert!(first.listings >= 2000, "{first:?}");

        let again = demo_data::seed(&app.state).await.unwrap();
        assert_eq!(again, first, "{backend:?}: a second start adds nothing");

        let therapist = app.login(script::THERAPISTS[0].email, DEMO_PASSWORD).await;
        let caseload = therapist.get(&app, "/caseload").await;
        assert_eq!(caseload.status(), 200);
        let html = caseload.text().await.unwrap();
        assert!(
            html.contains(&script::client_name(1)) && html.contains(&script::client_name(3)),
            "{backend:?}: the caseload lists the demo clients"
        );
        let feedback = therapist.get(&app, "/feedback").await;
        assert_eq!(feedback.status(), 200);

        let client = app.login(DEMO_CLIENT.0, DEMO_PASSWORD).await;
        let home = client.get(&app, "/").await;
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("Welcome back, Sam"));
        let therapy = client.get(&app, "/relationships").await;
        assert_eq!(therapy.status(), 200);
        let html = therapy.text().await.unwrap();
        assert!(
            html.contains("Ada Okafor"),
            "{backend:?}: the client's therapy page shows their therapist"
        );
        for page in ["/measures", "/care", "/match"] {
            assert_eq!(client.get(&app, page).await.status(), 200, "{page}");
        }
        let admin = app.login(demo_data::DEMO_ADMIN.0, DEMO_PASSWORD).await;
        let landing = admin.get(&app, "/admin").await;
        let practice = landing
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned())
            .expect("the admin is sent to their practice");
        let page = admin.get(&app, &practice).await;
        assert_eq!(page.status(), 200, "{practice}");
        let html = page.text().await.unwrap();
        for t in script::THERAPISTS {
            assert!(
                html.contains(t.name),
                "{backend:?}: {} is in the practice",
                t.name
            );
        }
    }
}
