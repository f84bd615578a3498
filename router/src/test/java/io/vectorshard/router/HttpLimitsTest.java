package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RawHttp;
import io.vectorshard.router.testing.RawHttp.Raw;
import io.vectorshard.router.testing.RouterCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * The HTTP layer's limits against clients that would take the router from the others: bodies
 * that together would not fit the heap, and uploads that trickle in to hold request threads.
 * The router here has 16 request threads and room for 1 MiB of bodies.
 */
class HttpLimitsTest {
  private static final int THREADS = 16;
  private static final long BODY_MEMORY = 1024 * 1024;
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(1).dimensions(3)
        .config(c -> c.withHttp(new HttpLimits(600_000, 512, THREADS, 16 * 1024, BODY_MEMORY))).start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", cluster.router().port());
    socket.setSoTimeout(30_000);
    return socket;
  }

  /** A valid upsert padded with spaces to {@code length} bytes. */
  private static byte[] paddedUpsert(int length) {
    String json = "{\"vector\":[1,0,0]}";
    return (json.substring(0, json.length() - 1) + " ".repeat(length - json.length()) + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] head(String id, int length) {
    return ("PUT /v1/tenants/acme/vectors/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void bodiesThatWouldNotFitTheMemoryBudgetTogetherGet503NotAnOutOfMemoryError() throws Exception {
    int length = 400_000; // counted twice: 800 KB of the 1 MiB budget each
    byte[] body = paddedUpsert(length);
    try (Socket first = connect()) {
      OutputStream out = first.getOutputStream();
      out.write(head("big-1", length));
      out.write(body, 0, 100_000);
      out.flush();
      Thread.sleep(300); // the first request's handler has reserved its body and is reading it

      Raw second = RawHttp.exchange(cluster.router().port(), concat(head("big-2", length), body));
      assertThat(second.status()).as("%s", second).isEqualTo(503);
      assertThat(second.json().get("error").asText()).contains("VSC_ROUTER_MAX_BODY_MEMORY_BYTES");
      assertThat(second.headers().get("retry-after")).isEqualTo("1");

      out.write(body, 100_000, length - 100_000);
      out.flush();
      Raw firstAnswer = RawHttp.read(first.getInputStream(), System.nanoTime());
      assertThat(firstAnswer.status()).as("%s", firstAnswer).isEqualTo(201);
    }
    // The first body's share came back with its answer: the second fits now.
    Raw again = RawHttp.exchange(cluster.router().port(), concat(head("big-2", length), body));
    assertThat(again.status()).as("%s", again).isEqualTo(201);
  }

  /** A declared body that never comes gives its share of the budget back within seconds, not at the idle timeout. */
  @Test
  void aBodyThatNeverComesGivesItsBudgetBackWithinSeconds() throws Exception {
    int length = 400_000; // counted twice: 800 KB of the 1 MiB budget
    byte[] body = paddedUpsert(length);
    try (Socket stalled = connect()) {
      long start = System.nanoTime();
      stalled.getOutputStream().write(head("stalled", length));
      stalled.getOutputStream().flush();
      Thread.sleep(300); // its handler has reserved the declared length
      Raw refused = RawHttp.exchange(cluster.router().port(), concat(head("after-stall", length), body));
      assertThat(refused.status()).as("%s", refused).isEqualTo(503);

      Raw cut = RawHttp.read(stalled.getInputStream(), start);
      assertThat(cut.status()).as("%s", cut).isEqualTo(400);
      assertThat(cut.json().get("error").asText()).contains("request body");
      assertThat(cut.millis()).as("well before the 30 s idle timeout").isLessThan(10_000);
    }
    Raw admitted = RawHttp.exchange(cluster.router().port(), concat(head("after-stall", length), body));
    assertThat(admitted.status()).as("%s", admitted).isEqualTo(201);
  }

  /** A body's share of the budget is its bytes, however small the chunks it comes in. */
  @Test
  void aBodyInTinyChunksIsCountedByItsBytes() throws Exception {
    byte[] body = paddedUpsert(3_000); // 3,000 one-byte chunks: 3,000 KiB if each were rounded up to a KiB
    StringBuilder request = new StringBuilder(
        "PUT /v1/tenants/acme/vectors/tiny-chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (byte b : body) {
      request.append("1\r\n").append((char) b).append("\r\n");
    }
    request.append("0\r\n\r\n");
    Raw answer = RawHttp.exchange(cluster.router().port(), request.toString().getBytes(StandardCharsets.ISO_8859_1));
    assertThat(answer.status()).as("%s", answer).isEqualTo(201);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void uploadsThatTrickleInAreCutOffAndProbesAreServedMeanwhile() throws Exception {
    int slow = THREADS * 3;
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<CompletableFuture<Raw>> uploads = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < slow; i++) {
      String id = "slow-" + i;
      uploads.add(CompletableFuture.supplyAsync(() -> trickle(id), pool));
    }
    // Health checks meanwhile, each on a fresh connection as a kubelet's would be.
    List<Long> probeMillis = new ArrayList<>();
    while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8)) {
      Raw probe = RawHttp.exchange(cluster.router().port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(probe.status()).isEqualTo(200);
      probeMillis.add(probe.millis());
      Thread.sleep(200);
    }
    for (CompletableFuture<Raw> upload : uploads) {
      Raw cut = upload.get(60, TimeUnit.SECONDS);
      assertThat(cut.status()).as("%s", cut).isEqualTo(400);
      assertThat(cut.json().get("error").asText()).contains("request body");
    }
    pool.close();
    assertThat(probeMillis.stream().mapToLong(Long::longValue).max().orElseThrow()).isLessThan(3_000);
  }

  @Test
  void uploadsWaitingForTheirBytesHoldNoRequestThread() throws Exception {
    // No minimum data rate here: 48 uploads that never finish against 16 request threads.
    RouterConfig config = RouterConfig.defaults(seeds()).withPort(0).withCredentials(RedisShards.ROUTER)
        .withHttp(new HttpLimits(600_000, 512, THREADS, 0, BODY_MEMORY));
    List<Socket> waiting = new ArrayList<>();
    try (RouterServer router = RouterServer.start(config)) {
      for (int i = 0; i < THREADS * 3; i++) {
        Socket socket = new Socket("127.0.0.1", router.port());
        socket.getOutputStream().write(head("waiting-" + i, 1000));
        socket.getOutputStream().write(' ');
        socket.getOutputStream().flush();
        waiting.add(socket);
      }
      Thread.sleep(300);
      for (int i = 0; i < 5; i++) {
        Raw probe = RawHttp.exchange(router.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(probe.status()).isEqualTo(200);
        assertThat(probe.millis()).as("a probe beside %d unfinished uploads", waiting.size()).isLessThan(2_000);
        Raw query = RawHttp.exchange(router.port(), "POST /v1/tenants/acme/query HTTP/1.1\r\nHost: x\r\nContent-Length: 29\r\n\r\n"
            + "{\"vector\":[1,0,0],\"topK\":1}  ");
        assertThat(query.status()).as("%s", query).isEqualTo(200);
      }
    } finally {
      for (Socket s : waiting) {
        s.close();
      }
    }
  }

  private static List<HostAndPort> seeds() {
    return cluster.shards().endpoints().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
  }

  @Test
  void pastItsConnectionLimitTheRouterAcceptsOnlyWhenOneCloses() throws Exception {
    RouterConfig config = RouterConfig.defaults(seeds()).withPort(0).withCredentials(RedisShards.ROUTER)
        .withHttp(new HttpLimits(1024, 2, THREADS, 16 * 1024, BODY_MEMORY));
    try (RouterServer small = RouterServer.start(config); Socket a = new Socket("127.0.0.1", small.port());
        Socket b = new Socket("127.0.0.1", small.port())) {
      Thread.sleep(200); // both accepted: the limit is reached
      try (Socket third = new Socket("127.0.0.1", small.port())) {
        third.setSoTimeout(700);
        third.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readsNothing(third)).as("a third connection is not served while two are open").isTrue();
        a.close();
        third.setSoTimeout(10_000);
        Raw served = RawHttp.read(third.getInputStream(), System.nanoTime());
        assertThat(served.status()).isEqualTo(200);
      }
    }
  }

  /** Whether nothing arrives (no byte, no close) before the socket's timeout. */
  private static boolean readsNothing(Socket socket) throws IOException {
    try {
      socket.getInputStream().read();
      return false;
    } catch (SocketTimeoutException nothingYet) {
      return true;
    }
  }

  /** An upload declaring 1,000 bytes and sending one every 300 ms; the answer it gets. */
  private static Raw trickle(String id) {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      out.write(head(id, 1000));
      out.flush();
      for (int i = 0; i < 1000; i++) {
        try {
          out.write(' ');
          out.flush();
        } catch (IOException closedByTheRouter) {
          break;
        }
        if (socket.getInputStream().available() > 0) {
          break;
        }
        Thread.sleep(300);
      }
      return RawHttp.read(socket.getInputStream(), start);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
