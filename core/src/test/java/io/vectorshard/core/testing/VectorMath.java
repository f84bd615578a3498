package io.vectorshard.core.testing;

/** Exact similarity in double precision, for tests that check what Redis and the router return. */
public final class VectorMath {
  private VectorMath() {}

  /** Cosine similarity of two vectors of equal length; 0 when either is the zero vector. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimensions differ: " + a.length + " and " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }

  /** (1 + cosine) / 2: a vector set's {@code VSIM ... WITHSCORES} score without quantization. */
  public static double vectorSetScore(float[] a, float[] b) {
    return (1 + cosine(a, b)) / 2;
  }
}
