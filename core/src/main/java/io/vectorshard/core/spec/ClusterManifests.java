package io.vectorshard.core.spec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorshard.api.VectorShardClusterManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code VectorShardCluster} YAML document and validates it, for local mode and tools. */
public final class ClusterManifests {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .build();

  private ClusterManifests() {}

  public static VectorShardClusterManifest read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException(file + ": no such file");
    } catch (IOException e) {
      throw new InvalidSpecException(file + ": " + e.getMessage());
    }
  }

  public static VectorShardClusterManifest parse(String yaml, String source) {
    VectorShardClusterManifest manifest;
    try {
      manifest = YAML.readValue(yaml, VectorShardClusterManifest.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidSpecException(source + ": unknown field \"" + e.getPropertyName() + "\" at " + e.getPathReference());
    } catch (IOException e) {
      throw new InvalidSpecException(source + ": not a VectorShardCluster document: " + e.getMessage());
    }
    if (manifest == null) {
      throw new InvalidSpecException(source + ": empty document");
    }
    SpecValidation.requireValid(manifest);
    return manifest;
  }
}
