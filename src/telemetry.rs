//! Logging: `tracing` to stdout, filtered by `RUST_LOG` (default `info`), as text or as JSON
//! lines when `LOG_FORMAT=json`. Request logs carry the request id (see `middleware`).

use tracing_subscriber::EnvFilter;

use crate::config::{ConfigError, LogFormat};

/// Installs the subscriber, with the filter `RUST_LOG` asks for. A `RUST_LOG` that does not
/// parse is an error: silently logging at another level would hide what was asked for.
pub fn try_init(format: LogFormat) -> Result<(), ConfigError> {
    install(format, filter(std::env::var("RUST_LOG").ok().as_deref())?);
    Ok(())
}

/// As [`try_init`], but a `RUST_LOG` that does not parse means `info` (for tests).
pub fn init(format: LogFormat) {
    let filter = filter(std::env::var("RUST_LOG").ok().as_deref()).unwrap_or_else(|_| EnvFilter::new("info"));
    install(format, filter);
}

/// The filter for a value of `RUST_LOG`: `info` when it is unset or blank.
pub fn filter(rust_log: Option<&str>) -> Result<EnvFilter, ConfigError> {
    match rust_log.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(EnvFilter::new("info")),
        Some(v) => EnvFilter::try_new(v).map_err(|e| ConfigError {
            var: "RUST_LOG",
            message: format!("{v:?} is not a log filter ({e}); try info or info,tollgate=debug"),
        }),
    }
}

fn install(format: LogFormat, filter: EnvFilter) {
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_log_is_info_by_default_and_an_error_naming_it_when_it_does_not_parse() {
        assert_eq!(filter(None).unwrap().to_string(), "info");
        assert_eq!(filter(Some("  ")).unwrap().to_string(), "info");
        assert!(filter(Some("warn,tollgate=debug")).is_ok());
        for bad in ["info,tollgate=loud", "tollgate[{=x"] {
            let err = filter(Some(bad)).unwrap_err();
            assert_eq!(err.var, "RUST_LOG");
            assert!(err.to_string().starts_with("RUST_LOG: "), "{err}");
        }
    }
}
