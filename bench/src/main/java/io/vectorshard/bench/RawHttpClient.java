package io.vectorshard.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The thinnest HTTP/1.1 client that is still correct for this router: one keep-alive connection,
 * one request at a time, Content-Length or chunked bodies. One per load thread, the way each direct
 * load thread has its own Jedis connection, so client-side cost is comparably small on both paths.
 */
final class RawHttpClient implements AutoCloseable {
  /** A response: status code and body bytes. */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String host;
  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  RawHttpClient(String host, int port) {
    this.host = host;
    this.port = port;
  }

  Response post(String path, byte[] body) throws IOException {
    return send("POST", path, body);
  }

  Response delete(String path) throws IOException {
    return send("DELETE", path, null);
  }

  Response send(String method, String path, byte[] body) throws IOException {
    if (socket == null) {
      connect();
    }
    try {
      return exchange(method, path, body);
    } catch (IOException e) {
      // The server may have closed an idle keep-alive connection: one fresh attempt.
      closeQuietly();
      connect();
      return exchange(method, path, body);
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  private Response exchange(String method, String path, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(host).append(':').append(port).append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();

    String statusLine = readLine();
    if (!statusLine.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
        chunked = true;
      } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
        close = true;
      }
    }
    byte[] responseBody;
    if (chunked) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine();
        int semi = sizeLine.indexOf(';');
        int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
        if (size == 0) {
          while (!readLine().isEmpty()) {
            // trailers
          }
          break;
        }
        all.write(readExactly(size));
        readLine();
      }
      responseBody = all.toByteArray();
    } else if (length >= 0) {
      responseBody = readExactly((int) length);
    } else {
      responseBody = in.readAllBytes();
      close = true;
    }
    if (close) {
      closeQuietly();
    }
    return new Response(status, responseBody);
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (b == '\n') {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
          line.setLength(n - 1);
        }
        return line.toString();
      }
      line.append((char) b);
    }
  }

  private byte[] readExactly(int n) throws IOException {
    byte[] data = in.readNBytes(n);
    if (data.length != n) {
      throw new EOFException("response body cut short");
    }
    return data;
  }

  private void closeQuietly() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
    socket = null;
  }

  @Override
  public void close() {
    closeQuietly();
  }
}
