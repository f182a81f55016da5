//! Prometheus metrics: request counts and latency per route and status, pool usage, and the
//! usage writer's batch sizes and queue waits per lane.
//! Routes are labelled by their pattern (`/v1/secret-keys/{id}`), never by raw path, so the
//! number of series stays bounded.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::db::PgPool;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    usage_batch_entries: HistogramVec,
    usage_queue_wait: HistogramVec,
    usage_batch_seconds: HistogramVec,
    usage_admission_wait: Histogram,
    /// Rate-limit checks Redis could not answer (they fell back to the instance).
    pub ratelimit_redis_failures: IntCounter,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Metrics> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("tollgate_http_requests_total", "HTTP requests answered, by method, route and status."),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "tollgate_http_request_duration_seconds",
                "Time to answer an HTTP request, by method and route.",
            )
            .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            &["method", "route"],
        )?;
        let pool_size = IntGauge::new("tollgate_db_pool_connections", "Open database connections.")?;
        let pool_idle = IntGauge::new("tollgate_db_pool_idle_connections", "Idle database connections.")?;
        let pool_max = IntGauge::new("tollgate_db_pool_max_connections", "Largest size of the database pool.")?;
        let usage_batch_entries = HistogramVec::new(
            HistogramOpts::new("tollgate_usage_batch_entries", "Usage entries settled together, per batch, by lane.")
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1000.0, 2000.0]),
            &["lane"],
        )?;
        let usage_queue_wait = HistogramVec::new(
            HistogramOpts::new(
                "tollgate_usage_queue_wait_seconds",
                "Time a usage request waited in the writer's queue before its batch started, by lane.",
            )
            .buckets(vec![0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
            &["lane"],
        )?;
        let usage_batch_seconds = HistogramVec::new(
            HistogramOpts::new(
                "tollgate_usage_batch_seconds",
                "Time a usage batch took to settle, commit included (what a request waits after its queue wait), by lane.",
            )
            .buckets(vec![0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
            &["lane"],
        )?;
        let usage_admission_wait = Histogram::with_opts(
            HistogramOpts::new(
                "tollgate_usage_admission_wait_seconds",
                "Time a usage batch waited for room in the writer's bulk lane, before its events were checked.",
            )
            .buckets(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
        )?;
        let ratelimit_redis_failures = IntCounter::new(
            "tollgate_ratelimit_redis_failures_total",
            "Rate-limit checks that Redis failed to answer in time; each fell back to the instance's own limiter.",
        )?;
        registry.register(Box::new(ratelimit_redis_failures.clone()))?;
        registry.register(Box::new(usage_batch_entries.clone()))?;
        registry.register(Box::new(usage_queue_wait.clone()))?;
        registry.register(Box::new(usage_batch_seconds.clone()))?;
        registry.register(Box::new(usage_admission_wait.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_size.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            pool_max,
            usage_batch_entries,
            usage_queue_wait,
            usage_batch_seconds,
            usage_admission_wait,
            ratelimit_redis_failures,
        })
    }

    pub fn observe(&self, method: &str, route: &str, status: &str, seconds: f64) {
        self.requests.with_label_values(&[method, route, status]).inc();
        self.latency.with_label_values(&[method, route]).observe(seconds);
    }

    /// The usage writer's histograms.
    pub fn writer(&self) -> crate::ledger::writer::WriterMetrics {
        let lanes = [crate::ledger::Lane::Verify, crate::ledger::Lane::Bulk];
        crate::ledger::writer::WriterMetrics {
            batch_entries: lanes.map(|l| self.usage_batch_entries.with_label_values(&[l.as_str()])),
            queue_wait: lanes.map(|l| self.usage_queue_wait.with_label_values(&[l.as_str()])),
            batch_seconds: lanes.map(|l| self.usage_batch_seconds.with_label_values(&[l.as_str()])),
            admission_wait: self.usage_admission_wait.clone(),
        }
    }

    /// The text exposition, with pool gauges read now.
    pub fn render(&self, pool: &PgPool) -> String {
        let state = pool.state();
        self.pool_size.set(i64::from(state.connections));
        self.pool_idle.set(i64::from(state.idle_connections));
        self.pool_max.set(i64::from(pool.max_size()));
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for well-formed metric families.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
