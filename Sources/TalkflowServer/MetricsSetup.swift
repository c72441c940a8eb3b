import Metrics
import Prometheus
import Synchronization

/// Why something failed, as the `kind` label of `talkflow_failures_total`. Every kind is registered at start-up
/// so that an alert rule sees a zero rather than a missing series.
public enum FailureKind: String, Sendable, CaseIterable {
    /// A webhook whose `X-Hub-Signature-256` is missing or wrong (answered 401).
    case signature
    /// A webhook body that is not the JSON Meta sends (answered 400).
    case malformed
    /// A webhook for a phone-number id no tenant has (acknowledged, nothing done).
    case unknownTenant = "unknown_tenant"
    /// A webhook body over the size limit (answered 413).
    case bodyTooLarge = "body_too_large"
    /// A webhook the handler could not process, such as a store failure (answered 500, Meta retries).
    case processing
    /// A Graph API answer asking to slow down (codes 4, 80007, 130429, 131056).
    case rateLimited = "rate_limited"
    /// A Graph API server error (5xx, codes 1, 2, 131000, 131016).
    case graphServerError = "graph_server_error"
    /// A message Meta refused as invalid (codes 100, 131008, 131009, 132000…).
    case invalidRequest = "invalid_request"
    /// A free-form message outside the 24-hour window (code 131047).
    case windowClosed = "window_closed"
    /// An expired or invalid access token, or a missing permission (codes 0, 190, 3, 10, 200–299).
    case authorization
}

/// The server's Prometheus metrics, in one registry that `GET /metrics` renders.
///
/// Names follow Prometheus conventions (`talkflow_` prefix, `_total` for counters, base units). Counters
/// labelled by tenant are created for every configured tenant at start-up, so each series exists from the
/// first scrape. Each instance has its own registry, so tests can run servers side by side; the process-wide
/// swift-metrics factory is bootstrapped once, by `bootstrapMetricsSystem`, from the `serve` command.
public final class ServerMetrics: Sendable {
    /// The registry rendered by `/metrics`.
    public let registry: PrometheusCollectorRegistry
    private let received: [String: Prometheus.Counter]
    private let sent: [String: Prometheus.Counter]
    private let failures: [FailureKind: Prometheus.Counter]
    private let paused: [String: Prometheus.Gauge]
    /// Messages waiting in the outbox to be sent.
    public let outboxDepth: Prometheus.Gauge
    /// Time of one interpreter step (load, step, save) per inbound event.
    public let stepDuration: DurationHistogram

    /// Buckets of `talkflow_step_duration_seconds`: a step takes microseconds; a slow store makes it milliseconds.
    public static let stepBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100),
        .milliseconds(500), .seconds(1),
    ]

    /// Metrics for these tenant ids, in `registry` (a new one by default).
    public init(tenants: [String], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let receivedName = MetricNameDescriptor(
            namespace: "talkflow", metricName: "webhooks_received", unitName: "total",
            helpText: "Webhook deliveries accepted, by tenant.")
        let sentName = MetricNameDescriptor(
            namespace: "talkflow", metricName: "messages_sent", unitName: "total",
            helpText: "Messages the Graph API accepted, by tenant.")
        let failureName = MetricNameDescriptor(
            namespace: "talkflow", metricName: "failures", unitName: "total",
            helpText: "Failures by kind: webhooks refused or unroutable, and Graph API errors.")
        let pausedName = MetricNameDescriptor(
            // A gauge has no unit suffix: `talkflow_sending_paused`.
            namespace: "talkflow", metricName: "sending_paused", unitName: "",
            helpText: "1 while the tenant's sends wait because Meta refused its access token, else 0.")
        var received: [String: Prometheus.Counter] = [:]
        var sent: [String: Prometheus.Counter] = [:]
        var paused: [String: Prometheus.Gauge] = [:]
        for tenant in tenants {
            received[tenant] = registry.makeCounter(descriptor: receivedName, labels: [("tenant", tenant)])
            sent[tenant] = registry.makeCounter(descriptor: sentName, labels: [("tenant", tenant)])
            paused[tenant] = registry.makeGauge(descriptor: pausedName, labels: [("tenant", tenant)])
        }
        self.received = received
        self.sent = sent
        self.paused = paused
        var failures: [FailureKind: Prometheus.Counter] = [:]
        for kind in FailureKind.allCases {
            failures[kind] = registry.makeCounter(descriptor: failureName, labels: [("kind", kind.rawValue)])
        }
        self.failures = failures
        outboxDepth = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "talkflow", metricName: "outbox_depth", unitName: "messages",
                helpText: "Outbound messages waiting in the outbox."))
        stepDuration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "talkflow", metricName: "step_duration", unitName: "seconds",
                helpText: "Time to handle one inbound event: load the session, step, save."),
            buckets: Self.stepBuckets)
    }

    /// Counts a webhook delivery accepted for `tenant`.
    public func webhookReceived(tenant: String) { received[tenant]?.increment() }

    /// Counts a message the Graph API accepted for `tenant`.
    public func messageSent(tenant: String) { sent[tenant]?.increment() }

    /// Sets whether `tenant`'s sends are paused.
    public func sendingPaused(tenant: String, _ isPaused: Bool) { paused[tenant]?.set(to: isPaused ? 1.0 : 0.0) }

    /// Counts a failure of `kind`.
    public func failed(_ kind: FailureKind) { failures[kind]?.increment() }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    private static let bootstrapped = Mutex(false)

    /// Makes this instance's registry the process's swift-metrics backend (see the static form).
    public func bootstrapMetricsSystem() { Self.bootstrapMetricsSystem(registry: registry) }

    /// Makes `registry` the process's swift-metrics backend, so that libraries reporting through swift-metrics
    /// (Hummingbird's `MetricsMiddleware`) appear on `/metrics` too. Their dotted names are rewritten with `_`.
    /// The first call wins; later calls do nothing (swift-metrics allows one bootstrap per process).
    public static func bootstrapMetricsSystem(registry: PrometheusCollectorRegistry) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }

    /// `name` with every character outside `[A-Za-z0-9_]` replaced by `_`.
    static func prometheusName(_ name: String) -> String {
        String(
            String.UnicodeScalarView(
                name.unicodeScalars.map {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) ? $0 : "_"
                }))
    }
}
