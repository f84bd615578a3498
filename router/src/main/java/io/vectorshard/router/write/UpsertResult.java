package io.vectorshard.router.write;

/** Outcome of an upsert: how many vectors were written and how many of them were new. */
public record UpsertResult(int upserted, int created, long epoch) {}
