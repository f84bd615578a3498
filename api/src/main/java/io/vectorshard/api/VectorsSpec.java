package io.vectorshard.api;

/**
 * How vectors are stored. Every shard uses the same settings, which is what makes scores from
 * different shards comparable (exact score merge needs one quantization cluster-wide).
 */
public class VectorsSpec {
  public enum Quantization { NOQUANT, Q8, BIN }

  private int dimensions;
  private Quantization quantization = Quantization.Q8;
  /** HNSW links per node ({@code VADD ... M}). */
  private int m = 16;
  /** HNSW build exploration factor ({@code VADD ... EF}). */
  private int efConstruction = 200;

  public int getDimensions() { return dimensions; }
  public void setDimensions(int dimensions) { this.dimensions = dimensions; }
  public Quantization getQuantization() { return quantization; }
  public void setQuantization(Quantization quantization) { this.quantization = quantization; }
  public int getM() { return m; }
  public void setM(int m) { this.m = m; }
  public int getEfConstruction() { return efConstruction; }
  public void setEfConstruction(int efConstruction) { this.efConstruction = efConstruction; }
}
