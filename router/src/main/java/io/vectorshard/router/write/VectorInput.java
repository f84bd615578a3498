package io.vectorshard.router.write;

/** One validated vector to upsert: id, vector of the cluster's dimension, attributes JSON or "". */
public record VectorInput(String id, float[] vector, String attributes) {}
