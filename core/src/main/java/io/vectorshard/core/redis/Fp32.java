package io.vectorshard.core.redis;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Vectors as the little-endian float32 blobs {@code VADD ... FP32} and {@code VSIM ... FP32} take. */
public final class Fp32 {
  private Fp32() {}

  public static byte[] encode(float[] vector) {
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }
}
