package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * How vectors are stored. Every shard uses the same settings, which is what makes scores from
 * different shards comparable (exact score merge needs one quantization cluster-wide).
 */
public class VectorsSpec {
  public enum Quantization { NOQUANT, Q8, BIN }

  @Required
  @Min(1)
  @Max(32768)
  @JsonPropertyDescription("Dimensions of every vector. Cannot change once the cluster holds vectors.")
  private int dimensions;
  @Default("Q8")
  @JsonPropertyDescription("Vector set quantization on every shard.")
  private Quantization quantization = Quantization.Q8;
  @Min(2)
  @Max(512)
  @Default("16")
  @JsonPropertyDescription("HNSW links per node (VADD ... M).")
  private int m = 16;
  @Min(1)
  @Max(100000)
  @Default("200")
  @JsonPropertyDescription("HNSW build exploration factor (VADD ... EF).")
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
