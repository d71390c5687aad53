//! `pagepulse seed`: the exact number of events, realistic shares, and the same
//! history for the same seed.

use pagepulse_core::{
    analytics::{AnalyticsQuery, Reports},
    entities::{event, site},
    seed::{SeedOptions, seed},
    testing::{TestDb, insert_site},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const NOW: i64 = 1_795_000_000_000;

#[tokio::test]
async fn seeds_realistic_reproducible_history() {
    for t in TestDb::all().await {
        let site_id = insert_site(&t.db, "example.com").await;
        let options = SeedOptions {
            site: site_id,
            days: 30,
            events: 20_000,
            seed: 7,
            now_ms: NOW,
        };
        let mut calls = 0;
        let written = seed(&t.db, options, |done, total| {
            calls += 1;
            assert!(done <= total);
        })
        .await
        .unwrap();
        assert_eq!(written, 20_000);
        assert!(calls >= 1);
        assert_eq!(event::Entity::find().count(&t.db).await.unwrap(), 20_000);

        let site = site::Entity::find_by_id(site_id)
            .one(&t.db)
            .await
            .unwrap()
            .unwrap();
        let query = AnalyticsQuery::from_pairs([("period", "30d")]).unwrap();
        let r = Reports::new(t.db.clone(), 4)
            .report(&site, &query, NOW)
            .await
            .unwrap();
        let s = r.summary;
        assert!(
            (30.0..=60.0).contains(&s.bounce_rate),
            "bounce rate {}",
            s.bounce_rate
        );
        assert!(s.visits > 5_000 && s.visitors < s.visits, "{s:?}");
        assert!(
            r.timeseries.iter().all(|d| d.pageviews > 0),
            "every day has traffic"
        );
        assert!(
            r.pages[0].pageviews > 5 * r.pages[20].pageviews,
            "Zipf-shaped pages"
        );
        assert!(r.referrers.len() >= 5 && r.countries.len() >= 5 && r.browsers.len() >= 4);
        assert!(r.utm_campaigns.len() >= 2);
        let direct = r.referrers.iter().find(|s| s.source.is_empty()).unwrap();
        assert!(direct.visitors < s.visitors);

        // The same seed writes the same events again.
        let again = insert_site(&t.db, "again.example").await;
        seed(
            &t.db,
            SeedOptions {
                site: again,
                ..options
            },
            |_, _| {},
        )
        .await
        .unwrap();
        let first = |site| {
            let db = t.db.clone();
            async move {
                event::Entity::find()
                    .filter(event::Column::SiteId.eq(site))
                    .order_by_asc(event::Column::Id)
                    .all(&db)
                    .await
                    .unwrap()
                    .into_iter()
                    .take(500)
                    .map(|e| (e.ts, e.path, e.referrer_source, e.browser, e.visitor_id))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(first(site_id).await, first(again).await);

        let missing = seed(
            &t.db,
            SeedOptions {
                site: uuid::Uuid::nil(),
                ..options
            },
            |_, _| {},
        )
        .await;
        assert!(missing.unwrap_err().to_string().contains("no site"));
        t.teardown().await;
    }
}
