package io.vectorshard.router.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The router's Prometheus metrics. One registry per router (not the global default) so several
 * routers in one JVM, as in tests and benchmarks, keep their own figures.
 */
public final class RouterMetrics {
  private static final double[] LATENCY_BUCKETS = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  // Histograms are classic only and no metric samples exemplars: /metrics is the text format, which
  // shows neither native histograms nor exemplars, and the router has no traces to link; both cost
  // every observation work, and exemplars a scheduler thread in every router.
  private final Histogram shardLatency = Histogram.builder()
      .name("vsc_router_shard_request_seconds")
      .help("Latency of calls from this router to a shard, by operation")
      .labelNames("shard", "op", "outcome")
      .classicUpperBounds(LATENCY_BUCKETS)
      .classicOnly()
      .withoutExemplars()
      .register(registry);
  private final Histogram httpLatency = Histogram.builder()
      .name("vsc_router_http_request_seconds")
      .help("Latency of HTTP requests served by this router, by method and route")
      .labelNames("method", "route")
      .classicUpperBounds(LATENCY_BUCKETS)
      .classicOnly()
      .withoutExemplars()
      .register(registry);
  private final Counter httpRequests = Counter.builder()
      .name("vsc_router_http_requests_total")
      .help("HTTP requests served, by method, route and status code")
      .labelNames("method", "route", "status")
      .withoutExemplars()
      .register(registry);
  private final Counter partialResults = Counter.builder()
      .name("vsc_router_partial_results_total")
      .help("Scatter-gather queries answered without some shards (allowPartial)")
      .withoutExemplars()
      .register(registry);
  private final Counter missingShards = Counter.builder()
      .name("vsc_router_missing_shard_total")
      .help("Shards left out of a partial result, by shard")
      .labelNames("shard")
      .withoutExemplars()
      .register(registry);
  private final Counter staleRetries = Counter.builder()
      .name("vsc_router_stale_retries_total")
      .help("Requests retried because a shard's epoch was newer than the router's table")
      .withoutExemplars()
      .register(registry);
  private final Histogram fenceWaits = Histogram.builder()
      .name("vsc_router_fence_wait_seconds")
      .help("How long writes waited while their bucket was fenced for the switch of a streaming move")
      .classicUpperBounds(LATENCY_BUCKETS)
      .classicOnly()
      .withoutExemplars()
      .register(registry);
  private final Counter tableRefreshes = Counter.builder()
      .name("vsc_router_table_refreshes_total")
      .help("Routing table reloads that found a newer epoch, by trigger")
      .labelNames("trigger")
      .withoutExemplars()
      .register(registry);
  private final Gauge epoch = Gauge.builder()
      .name("vsc_router_routing_epoch")
      .help("Epoch of the routing table this router uses")
      .withoutExemplars()
      .register(registry);
  private final Gauge shardUp = Gauge.builder()
      .name("vsc_router_shard_up")
      .help("Whether a shard answered this router's last call to it (1) or refused it for a reason of its own (0)")
      .labelNames("shard")
      .withoutExemplars()
      .register(registry);
  private final Counter shardOutages = Counter.builder()
      .name("vsc_router_shard_outages_total")
      .help("Times a shard stopped answering this router, by reason (unreachable, loading, busy, auth, ...)")
      .labelNames("shard", "reason")
      .withoutExemplars()
      .register(registry);
  private final Counter vectorsWritten = Counter.builder()
      .name("vsc_router_vectors_written_total")
      .help("Vectors upserted through this router, by shard")
      .labelNames("shard")
      .withoutExemplars()
      .register(registry);

  /**
   * The data points of labels already seen, so a request does not build a label list and look it up
   * in the metric's map for each of its observations. Filled on first use only, so a series appears
   * in the scrape exactly when it did before (an "error" series only after an error). Nothing here
   * removes a series, so a cached point stays the registered one.
   */
  private final Map<String, Map<String, AtomicReferenceArray<DistributionDataPoint>>> shardPoints = new ConcurrentHashMap<>();
  private final Map<String, Map<String, HttpPoints>> httpPoints = new ConcurrentHashMap<>();

  /** The latency point of one method and route, and its request counters by status code. */
  private static final class HttpPoints {
    final DistributionDataPoint latency;
    final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(600);

    HttpPoints(DistributionDataPoint latency) {
      this.latency = latency;
    }
  }

  /** Times one shard call; the outcome label separates successes from errors. */
  public <T> T timeShard(String shard, String op, Supplier<T> call) {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      T result = call.get();
      ok = true;
      return result;
    } finally {
      shardPoint(shard, op, ok).observe((System.nanoTime() - start) / 1e9);
    }
  }

  private DistributionDataPoint shardPoint(String shard, String op, boolean ok) {
    AtomicReferenceArray<DistributionDataPoint> points = shardPoints
        .computeIfAbsent(shard, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(op, o -> new AtomicReferenceArray<>(2));
    int i = ok ? 0 : 1;
    DistributionDataPoint point = points.get(i);
    if (point == null) {
      // A race only stores the same registered point twice.
      point = shardLatency.labelValues(shard, op, ok ? "ok" : "error");
      points.set(i, point);
    }
    return point;
  }

  /**
   * One HTTP request served. The method is part of the label set because one route template serves
   * several operations (GET, PUT and DELETE of {@code /v1/tenants/{tenant}/vectors/{id}}).
   */
  public void httpRequest(String method, String route, int status, long nanos) {
    HttpPoints points = httpPoints.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(method, m -> new HttpPoints(httpLatency.labelValues(m, route)));
    CounterDataPoint counter;
    if (status >= 0 && status < points.byStatus.length()) {
      counter = points.byStatus.get(status);
      if (counter == null) {
        counter = httpRequests.labelValues(method, route, Integer.toString(status));
        points.byStatus.set(status, counter);
      }
    } else {
      counter = httpRequests.labelValues(method, route, Integer.toString(status));
    }
    counter.inc();
    points.latency.observe(nanos / 1e9);
  }

  public void partialResult(Iterable<String> missing) {
    partialResults.inc();
    missing.forEach(shard -> missingShards.labelValues(shard).inc());
  }

  public void fenceWait(java.time.Duration waited) {
    fenceWaits.observe(waited.toNanos() / 1e9);
  }

  public void staleRetry() {
    staleRetries.inc();
  }

  public void tableRefreshed(String trigger, long newEpoch) {
    tableRefreshes.labelValues(trigger).inc();
    epoch.set(newEpoch);
  }

  /** A shard's state changed: answering ({@code reason} empty) or not, for that reason. */
  public void shardState(String shard, Optional<String> reason) {
    shardUp.labelValues(shard).set(reason.isEmpty() ? 1 : 0);
    reason.ifPresent(r -> shardOutages.labelValues(shard, r).inc());
  }

  public void vectorsWritten(String shard, int count) {
    vectorsWritten.labelValues(shard).inc(count);
  }

  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
