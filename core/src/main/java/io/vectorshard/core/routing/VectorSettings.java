package io.vectorshard.core.routing;

import io.vectorshard.api.VectorsSpec;

/** The cluster-wide vector set settings every VADD must repeat (Redis rejects a mismatch). */
public record VectorSettings(int dimensions, VectorsSpec.Quantization quantization, int m, int efConstruction) {
  public static final int MAX_DIMENSIONS = 32768;

  public VectorSettings {
    if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
      throw new IllegalArgumentException("dimensions must be 1.." + MAX_DIMENSIONS + ", got " + dimensions);
    }
  }

  public static VectorSettings of(VectorsSpec spec) {
    return new VectorSettings(spec.getDimensions(), spec.getQuantization(), spec.getM(), spec.getEfConstruction());
  }
}
