//! A real browser for the web pages: Debian's Chromium, headless, driven through its
//! chromedriver with `fantoccini`; axe-core (vendored under `tests/vendor/`) judges each page's
//! accessibility. Without chromedriver a test says so and passes, unless
//! `TOLLGATE_REQUIRE_BROWSER=1` (CI sets it), where that fails it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// How the browser shows pages.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub dark: bool,
    /// A phone's width (CSS pixels), or a desktop window.
    pub mobile: Option<u32>,
}

impl View {
    pub const LIGHT: View = View { dark: false, mobile: None };
    pub const DARK_PHONE: View = View { dark: true, mobile: Some(390) };

    pub fn name(&self) -> String {
        format!(
            "{}-{}",
            if self.dark { "dark" } else { "light" },
            self.mobile.map_or("desktop".into(), |w| format!("{w}px"))
        )
    }
}

pub struct Browser {
    driver: Child,
    pub client: Client,
    pub view: View,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// A headless Chromium, or `None` where this machine has none (see the module's note).
    pub async fn start(view: View) -> Option<Browser> {
        if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
            crate::helpers::tool_missing(
                "TOLLGATE_REQUIRE_BROWSER",
                "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver); the browser test is skipped",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .args([format!("--port={port}"), "--allowed-ips=127.0.0.1".into()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ];
        if view.dark {
            args.push("--blink-settings=preferredColorScheme=0");
        }
        let mut options = json!({"binary": CHROMIUM, "args": args});
        if let Some(w) = view.mobile {
            options["mobileEmulation"] = json!({"deviceMetrics": {"width": w, "height": 844, "pixelRatio": 1.0}});
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let mut last = None;
        for _ in 0..50 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => return Some(Browser { driver, client, view }),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer: {last:?}");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    /// The text of the element `css` finds, once there (again if the page was replaced between
    /// finding the element and reading it, as after a form's redirect).
    pub async fn text(&self, css: &str) -> String {
        let mut last = None;
        for _ in 0..50 {
            match self.client.wait().for_element(Locator::Css(css)).await {
                Ok(e) => match e.text().await {
                    Ok(t) => return t,
                    Err(err) => last = Some(err),
                },
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css}: {last:?}");
    }

    /// Clicks the element `css` finds, once there (again if the page was replaced meanwhile).
    pub async fn click(&self, css: &str) {
        let mut last = None;
        for _ in 0..50 {
            match self.client.wait().for_element(Locator::Css(css)).await {
                Ok(e) => match e.click().await {
                    Ok(()) => return,
                    Err(err) => last = Some(err),
                },
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css}: {last:?}");
    }

    /// Waits until the page's `h1` reads `heading` (after a click that navigates).
    pub async fn wait_heading(&self, heading: &str) {
        for _ in 0..100 {
            if let Ok(h) = self.client.find(Locator::Css("h1")).await {
                if h.text().await.is_ok_and(|t| t == heading) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let body = self.client.source().await.unwrap_or_default();
        panic!("no page headed {heading:?}: {body}");
    }

    pub async fn body(&self) -> String {
        self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
    }

    /// axe-core's serious and critical WCAG 2.1 A/AA violations of the page, and the page's
    /// width against the viewport's (no horizontal scrolling).
    pub async fn audit(&self) -> (Vec<Value>, i64, i64) {
        self.client.execute(AXE, vec![]).await.expect("axe loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3)}))))
                   .catch(e => done([{id: 'axe-failed', help: String(e)}]));",
                vec![],
            )
            .await
            .expect("axe runs");
        let widths = self
            .client
            .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
            .await
            .unwrap();
        (found.as_array().cloned().unwrap_or_default(), widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap())
    }

    /// Audits the page (no serious violation, no horizontal scrolling) and writes its
    /// screenshot to `target/screenshots/{name}-{view}.png` for review.
    pub async fn check_page(&self, name: &str) {
        let (violations, scroll, inner) = self.audit().await;
        assert!(
            violations.is_empty(),
            "{name} ({}): {}",
            self.view.name(),
            serde_json::to_string_pretty(&violations).unwrap()
        );
        assert!(scroll <= inner, "{name} ({}) scrolls sideways: {scroll} px wide in {inner} px", self.view.name());
        if let Some(w) = self.view.mobile {
            assert_eq!(inner, w as i64, "{name}: the page sets the viewport to the device's width");
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.expect("a screenshot");
        std::fs::write(dir.join(format!("{name}-{}.png", self.view.name())), png).unwrap();
    }

    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
    }
}
