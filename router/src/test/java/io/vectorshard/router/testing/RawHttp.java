package io.vectorshard.router.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 over a raw socket, for requests no HTTP client library would send. */
public final class RawHttp {
  private RawHttp() {}

  /** A parsed raw answer. */
  public record Raw(int status, Map<String, String> headers, String body, long millis) {
    public JsonNode json() {
      try {
        return RouterCluster.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + body;
    }
  }

  /** Sends {@code request} as is to the router on {@code port} and reads one answer (the server may close after it). */
  public static Raw exchange(int port, byte[] request) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      socket.shutdownOutput();
      return read(socket.getInputStream(), start);
    }
  }

  public static Raw exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Reads one answer; {@code start} ({@link System#nanoTime}) is when its request began, for {@code millis}. */
  public static Raw read(InputStream in, long start) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      if (h.length >= 4 && h[h.length - 4] == '\r' && h[h.length - 3] == '\n' && h[h.length - 2] == '\r' && h[h.length - 1] == '\n') {
        break;
      }
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    if (lines.length == 0 || lines[0].isEmpty()) {
      throw new AssertionError("no answer at all");
    }
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body;
    if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
    }
    return new Raw(status, headers, new String(body, StandardCharsets.UTF_8), (System.nanoTime() - start) / 1_000_000);
  }
}
