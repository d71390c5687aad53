use sea_orm::entity::prelude::*;

/// One pageview or custom event. Holds no IP address and no user-agent string:
/// only what was derived from them (visitor hash, browser, OS, device).
/// `Default` lets the Stats API fill only the columns a question reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub site_id: Uuid,
    /// Server clock, Unix milliseconds, UTC.
    pub ts: i64,
    pub name: String,
    pub hostname: String,
    pub path: String,
    pub referrer_source: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
    pub browser: String,
    pub browser_version: String,
    pub os: String,
    pub device: String,
    pub country: Option<String>,
    /// With a city GeoIP database: the ISO 3166-2 region code and the
    /// city's English name.
    pub region: Option<String>,
    pub city: Option<String>,
    pub visitor_id: i64,
    pub visit_id: i64,
    /// Custom properties as a JSON object of strings.
    pub props: Option<String>,
    /// False for an event the tracker marked non-interactive: it does not keep
    /// its visit from bouncing.
    pub interactive: bool,
    /// A decimal amount, as sent, and its ISO 4217 currency.
    pub revenue_amount: Option<String>,
    pub revenue_currency: Option<String>,
    /// On a pageview: the deepest scroll (percent) and the engaged time its
    /// engagement beacons reported, once one arrived.
    pub scroll_depth: Option<i16>,
    pub engaged_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::site::Entity",
        from = "Column::SiteId",
        to = "super::site::Column::Id",
        on_delete = "Cascade"
    )]
    Site,
}

impl Related<super::site::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Site.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
