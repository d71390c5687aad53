//! Acquisition channels ("Organic Search", "Paid Social", "Email"…), worked out
//! the way Plausible does so that our `visit:channel` agrees with its own:
//! the same rules, tried in the same order, the first that holds wins. Which
//! sources count as search, social, shopping, video, email or AI assistants is
//! data, `channels.json`, that anyone can read and extend without touching
//! code; the tests on UTM tags are rules, not lists, so they stay here.
//!
//! Plausible also calls a Google visit with `gclid` (or a Bing one with
//! `msclkid`) Paid Search; we keep no click ids, so those visits count by
//! their tags alone.

use std::{borrow::Cow, sync::LazyLock};

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer};

/// The data file's lists, lower-cased since a source matches whatever its case.
#[derive(Deserialize)]
struct Lists {
    #[serde(deserialize_with = "lowered")]
    search: FxHashSet<String>,
    #[serde(deserialize_with = "lowered")]
    social: FxHashSet<String>,
    #[serde(deserialize_with = "lowered")]
    shopping: FxHashSet<String>,
    #[serde(deserialize_with = "lowered")]
    video: FxHashSet<String>,
    #[serde(deserialize_with = "lowered")]
    email: FxHashSet<String>,
    #[serde(deserialize_with = "lowered")]
    ai_assistants: FxHashSet<String>,
    /// utm_source values that make a search, social or video visit paid
    /// even with no paid utm_medium (`fb-ads`, `adwords`).
    #[serde(deserialize_with = "lowered")]
    paid_sources: FxHashSet<String>,
}

fn lowered<'de, D: Deserializer<'de>>(names: D) -> Result<FxHashSet<String>, D::Error> {
    let names = Vec::<String>::deserialize(names)?;
    Ok(names.iter().map(|n| n.trim().to_lowercase()).collect())
}

static LISTS: LazyLock<Lists> = LazyLock::new(|| {
    serde_json::from_str::<Lists>(include_str!("channels.json"))
        .expect("src/stats/channels.json is valid (checked by a test)")
});

/// Tags are usually lower-case already; only copy the ones that are not.
fn lower(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_uppercase) {
        Cow::Owned(text.to_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Plausible's `^(.*cp.*|ppc|retargeting|paid.*)$`: cpc, cpm, cpv… anywhere,
/// or a medium that starts with "paid".
fn paid_medium(medium: &str) -> bool {
    medium.contains("cp")
        || medium == "ppc"
        || medium == "retargeting"
        || medium.starts_with("paid")
}

/// Plausible's `(([^a-df-z]|^)shop|shopping)`: "shopping" anywhere, or "shop"
/// that does not end another word ("e-shop" and "eshop" do, "workshop" not).
fn shopping_campaign(campaign: &str) -> bool {
    campaign.contains("shopping")
        || campaign.match_indices("shop").any(|(at, _)| {
            at == 0 || !matches!(campaign.as_bytes()[at - 1], b'a'..=b'd' | b'f'..=b'z')
        })
}

const DISPLAY_MEDIUMS: [&str; 5] = ["display", "banner", "expandable", "interstitial", "cpm"];
const SOCIAL_MEDIUMS: [&str; 6] = [
    "social",
    "social-network",
    "social-media",
    "sm",
    "social network",
    "social media",
];
const EMAIL_TAGS: [&str; 5] = ["email", "e-mail", "e_mail", "e mail", "newsletter"];
const REFERRAL_MEDIUMS: [&str; 3] = ["referral", "app", "link"];

/// The channel of a visit from its source (its utm_source when tagged, else
/// its referrer's name, "" for none) and its UTM tags, compared without case.
pub fn channel(
    source: &str,
    utm_source: &str,
    utm_medium: &str,
    utm_campaign: &str,
) -> &'static str {
    let (source, utm_source) = (lower(source), lower(utm_source));
    let (medium, campaign) = (lower(utm_medium), lower(utm_campaign));
    let (source, utm_source, medium, campaign) = (&*source, &*utm_source, &*medium, &*campaign);
    let lists = &*LISTS;

    let paid_medium = paid_medium(medium);
    // A paid shopping visit needs a paid medium; the paid utm_sources are
    // only ad networks of search, social and video sites.
    let paid = paid_medium || lists.paid_sources.contains(utm_source);
    let shopping = lists.shopping.contains(source) || shopping_campaign(campaign);
    let search = lists.search.contains(source);
    let social = lists.social.contains(source);
    let video = lists.video.contains(source);
    let email_tag = |tag: &str| EMAIL_TAGS.iter().any(|t| tag.contains(t));

    if campaign.contains("cross-network") {
        "Cross-network"
    } else if shopping && paid_medium {
        "Paid Shopping"
    } else if search && paid {
        "Paid Search"
    } else if social && paid {
        "Paid Social"
    } else if video && paid {
        "Paid Video"
    } else if DISPLAY_MEDIUMS.contains(&medium) {
        "Display"
    } else if paid_medium {
        "Paid Other"
    } else if shopping {
        "Organic Shopping"
    } else if social || SOCIAL_MEDIUMS.contains(&medium) {
        "Organic Social"
    } else if video || medium.contains("video") {
        "Organic Video"
    } else if lists.ai_assistants.contains(source) {
        "AI Assistants"
    } else if search {
        "Organic Search"
    } else if lists.email.contains(source) || email_tag(utm_source) || email_tag(medium) {
        "Email"
    } else if medium == "affiliate" {
        "Affiliates"
    } else if medium == "audio" {
        "Audio"
    } else if utm_source == "sms" || medium == "sms" {
        "SMS"
    } else if medium.ends_with("push")
        || medium.contains("mobile")
        || medium.contains("notification")
        || source == "firebase"
    {
        "Mobile Push Notifications"
    } else if REFERRAL_MEDIUMS.contains(&medium) || !source.is_empty() {
        "Referral"
    } else {
        "Direct"
    }
}

#[cfg(test)]
mod tests {
    use super::{LISTS, channel};

    const SOURCE: usize = 0;
    /// A tagged visit's source is its utm_source.
    const TAGGED: usize = 1;
    const MEDIUM: usize = 2;
    const CAMPAIGN: usize = 3;

    /// Visits that carry nothing but one of `values` in `field`.
    fn each(field: usize, values: &[&str], want: &str) {
        for &value in values {
            let mut args = [""; 4];
            args[field] = value;
            if field == TAGGED {
                args[SOURCE] = value;
            }
            let got = channel(args[0], args[1], args[2], args[3]);
            assert_eq!(got, want, "{args:?}");
        }
    }

    #[test]
    fn the_data_file_parses_and_gives_each_name_one_category() {
        let l = &*LISTS;
        let lists = [
            &l.search,
            &l.social,
            &l.shopping,
            &l.video,
            &l.email,
            &l.ai_assistants,
        ];
        assert!(lists.iter().all(|list| !list.is_empty()) && l.paid_sources.contains("fb-ads"));
        for (i, list) in lists.iter().enumerate() {
            for other in &lists[i + 1..] {
                let shared: Vec<_> = list.intersection(other).collect();
                assert!(shared.is_empty(), "in two categories: {shared:?}");
            }
        }
    }

    #[test]
    fn a_source_alone_goes_by_its_category() {
        each(SOURCE, &[""], "Direct");
        // Named or not, a source in no category is a referral.
        each(SOURCE, &["unknown.example", "Wikipedia"], "Referral");
        each(SOURCE, &["Google", "Bing", "Yahoo!"], "Organic Search");
        each(SOURCE, &["Facebook", "X (Twitter)"], "Organic Social");
        each(SOURCE, &["Youtube", "Vimeo"], "Organic Video");
        each(SOURCE, &["walmart.com", "temu.com"], "Organic Shopping");
        each(SOURCE, &["Perplexity", "ChatGPT"], "AI Assistants");
        each(SOURCE, &["Gmail"], "Email");
        each(TAGGED, &["google", "duckduckgo"], "Organic Search");
        each(TAGGED, &["fb", "ig", "twitter"], "Organic Social");
        each(TAGGED, &["yt"], "Organic Video");
        each(TAGGED, &["google_ads", "Adwords"], "Paid Search");
        each(TAGGED, &["fb-ads", "Reddit-ads"], "Paid Social");
        each(TAGGED, &["yt-ads"], "Paid Video");
        each(TAGGED, &["email", "Newsletter-UK"], "Email");
        each(TAGGED, &["sms"], "SMS");
        each(TAGGED, &["firebase"], "Mobile Push Notifications");
    }

    #[test]
    fn mediums_and_campaigns_decide_when_the_source_does_not() {
        each(CAMPAIGN, &["cross-network"], "Cross-network");
        each(CAMPAIGN, &["shop", "e-shop", "eshop"], "Organic Shopping");
        each(CAMPAIGN, &["workshop"], "Direct");
        // cpm is a paid medium too, but Display is tried first.
        each(MEDIUM, &["display", "banner", "cpm"], "Display");
        each(MEDIUM, &["cpc", "retargeting", "paid-ad"], "Paid Other");
        each(MEDIUM, &["social"], "Organic Social");
        each(MEDIUM, &["video"], "Organic Video");
        each(MEDIUM, &["email", "newsletter"], "Email");
        each(MEDIUM, &["affiliate"], "Affiliates");
        each(MEDIUM, &["audio"], "Audio");
        each(MEDIUM, &["sms"], "SMS");
        each(MEDIUM, &["app-push", "mobile"], "Mobile Push Notifications");
        each(MEDIUM, &["referral"], "Referral");
        each(MEDIUM, &["something-else"], "Direct");
    }

    #[test]
    fn earlier_rules_win() {
        let cases = [
            ("google", "google", "cpc", "", "Paid Search"),
            ("GOOGLE", "GOOGLE", "CPC", "", "Paid Search"),
            ("TikTok", "", "paid", "", "Paid Social"),
            ("Youtube", "", "paid", "", "Paid Video"),
            ("shopify.com", "", "paid", "", "Paid Shopping"),
            ("", "", "paid", "shopping", "Paid Shopping"),
            ("Google", "", "display", "", "Display"),
            ("Google", "google", "cpc", "cross-network", "Cross-network"),
        ];
        for (source, utm_source, medium, campaign, want) in cases {
            let got = channel(source, utm_source, medium, campaign);
            assert_eq!(got, want, "{source} {medium} {campaign}");
        }
    }
}
