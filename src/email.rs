//! Outgoing email through lettre: SMTP when `SMTP_URL` is set (`smtp://` with STARTTLS when the
//! server offers it, `smtps://` for implicit TLS), else `.eml` files under `DATA_DIR/outbox/`
//! for development. Tests use an in-memory outbox.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport};

use crate::config::Settings;

/// One email as sent (what the in-memory outbox keeps).
#[derive(Debug, Clone)]
pub struct Sent {
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
}

pub enum Mailer {
    Smtp(SmtpTransport),
    Files(PathBuf),
    Memory(Arc<Mutex<Vec<Sent>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files(dir) => write!(f, "Mailer::Files({})", dir.display()),
            Mailer::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        match &settings.smtp_url {
            Some(url) => Ok(Mailer::Smtp(
                SmtpTransport::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .build(),
            )),
            None => Ok(Mailer::Files(settings.data_dir.join("outbox"))),
        }
    }

    pub fn memory() -> Mailer {
        Mailer::Memory(Arc::default())
    }

    /// What the in-memory outbox holds (empty for the other kinds).
    pub fn outbox(&self) -> Vec<Sent> {
        match self {
            Mailer::Memory(m) => m.lock().unwrap_or_else(|e| e.into_inner()).clone(),
            _ => Vec::new(),
        }
    }

    /// Sends one email with an HTML body and its plain-text alternative. Blocking: call it off
    /// the async threads (jobs run on the blocking pool).
    pub fn send(&self, from: Mailbox, to: &str, subject: &str, html: String, text: String) -> anyhow::Result<()> {
        if let Mailer::Memory(m) = self {
            m.lock().unwrap_or_else(|e| e.into_inner()).push(Sent {
                to: to.to_string(),
                subject: subject.to_string(),
                html,
                text,
            });
            return Ok(());
        }
        let message = Message::builder().from(from).to(to.parse()?).subject(subject).multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
        )?;
        match self {
            Mailer::Smtp(t) => {
                t.send(&message)?;
            }
            Mailer::Files(dir) => {
                std::fs::create_dir_all(dir)?;
                lettre::FileTransport::new(dir).send(&message)?;
            }
            Mailer::Memory(_) => unreachable!("handled above"),
        }
        Ok(())
    }
}
