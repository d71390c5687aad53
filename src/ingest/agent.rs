//! Browser, OS and device from a user agent (woothee plus `bots`' rules), and
//! device from the screen width when the tracker sent one.

use std::sync::OnceLock;

use woothee::parser::Parser;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Agent {
    pub browser: String,
    /// Major version only: finer versions would help fingerprint a visitor.
    pub browser_version: String,
    pub os: String,
    pub device: String,
    pub is_bot: bool,
}

pub fn parse(user_agent: &str, screen_width: Option<u32>) -> Agent {
    let lower = user_agent.to_ascii_lowercase();
    if super::bots::is_bot(user_agent) {
        return Agent {
            is_bot: true,
            ..Agent::default()
        };
    }
    let parsed = parser().parse(user_agent);
    let Some(result) = parsed else {
        return Agent {
            device: screen_width
                .map(device_for_width)
                .unwrap_or_default()
                .to_owned(),
            ..Agent::default()
        };
    };
    if result.category == "crawler" {
        return Agent {
            is_bot: true,
            ..Agent::default()
        };
    }
    let known = |value: &str| {
        if value == woothee::woothee::VALUE_UNKNOWN {
            String::new()
        } else {
            value.to_owned()
        }
    };
    let major = result.version.split('.').next().unwrap_or_default();
    let device = match screen_width {
        Some(width) => device_for_width(width),
        None => device_for_agent(result.category, result.os, &lower),
    };
    Agent {
        browser: known(result.name),
        browser_version: if major == woothee::woothee::VALUE_UNKNOWN {
            String::new()
        } else {
            major.to_owned()
        },
        os: os_family(result.os),
        device: device.to_owned(),
        is_bot: false,
    }
}

/// The device class from the reported screen width: under 576 px mobile, under
/// 992 px tablet, else desktop.
pub fn device_for_width(width: u32) -> &'static str {
    match width {
        0..576 => "mobile",
        576..992 => "tablet",
        _ => "desktop",
    }
}

fn device_for_agent(category: &str, os: &str, lower: &str) -> &'static str {
    let tablet =
        os == "iPad" || (os == "Android" && !lower.contains("mobile")) || lower.contains("tablet");
    match category {
        _ if tablet => "tablet",
        "smartphone" | "mobilephone" => "mobile",
        "pc" => "desktop",
        _ => "",
    }
}

/// Families, not versions: "Windows 10" and "Windows 7" are both Windows.
fn os_family(os: &str) -> String {
    match os {
        _ if os.starts_with("Windows") => "Windows".into(),
        "Mac OSX" | "Mac OS Classic" => "macOS".into(),
        "iPhone" | "iPad" | "iPod" => "iOS".into(),
        "ChromeOS" => "Chrome OS".into(),
        "UNKNOWN" => String::new(),
        other => other.to_owned(),
    }
}

fn parser() -> &'static Parser {
    static PARSER: OnceLock<Parser> = OnceLock::new();
    PARSER.get_or_init(Parser::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME_WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const SAFARI_IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const FIREFOX_LINUX: &str =
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn people_get_browser_major_version_os_and_device() {
        let chrome = parse(CHROME_WINDOWS, None);
        assert_eq!(
            chrome,
            Agent {
                browser: "Chrome".into(),
                browser_version: "131".into(),
                os: "Windows".into(),
                device: "desktop".into(),
                is_bot: false,
            }
        );
        let iphone = parse(SAFARI_IPHONE, None);
        assert_eq!(
            (
                iphone.browser.as_str(),
                iphone.os.as_str(),
                iphone.device.as_str()
            ),
            ("Safari", "iOS", "mobile")
        );
        assert_eq!(parse(SAFARI_IPAD, None).device, "tablet");
        let firefox = parse(FIREFOX_LINUX, None);
        assert_eq!(
            (
                firefox.browser.as_str(),
                firefox.browser_version.as_str(),
                firefox.os.as_str()
            ),
            ("Firefox", "133", "Linux")
        );
    }

    #[test]
    fn screen_width_decides_the_device_when_given() {
        assert_eq!(parse(CHROME_WINDOWS, Some(375)).device, "mobile");
        assert_eq!(parse(CHROME_WINDOWS, Some(800)).device, "tablet");
        assert_eq!(parse(SAFARI_IPHONE, Some(1440)).device, "desktop");
        assert_eq!(
            (
                device_for_width(575),
                device_for_width(576),
                device_for_width(991),
                device_for_width(992)
            ),
            ("mobile", "tablet", "tablet", "desktop")
        );
    }

    #[test]
    fn bots_are_recognised() {
        for ua in [
            "",
            "   ",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "Go-http-client/1.1",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        ] {
            assert!(parse(ua, None).is_bot, "{ua:?}");
        }
        assert!(!parse(CHROME_WINDOWS, None).is_bot);
    }
}
