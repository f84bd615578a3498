package io.vectorshard.core.spec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vectorshard.api.VectorShardCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a {@code VectorShardCluster} YAML document and validates it, for local mode and tools. */
public final class ClusterManifests {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .build();

  private ClusterManifests() {}

  public static VectorShardCluster read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new InvalidSpecException(file + ": no such file");
    } catch (IOException e) {
      throw new InvalidSpecException(file + ": " + e.getMessage());
    }
  }

  public static VectorShardCluster parse(String yaml, String source) {
    VectorShardCluster manifest;
    try {
      JsonNode document = YAML.readTree(yaml);
      if (document == null || document.isMissingNode() || document.isNull()) {
        throw new InvalidSpecException(source + ": empty document");
      }
      // Checked on the document because CustomResource reports its annotated kind and apiVersion,
      // whatever the YAML said.
      requireType(document, source);
      manifest = YAML.treeToValue(document, VectorShardCluster.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidSpecException(source + ": unknown field \"" + e.getPropertyName() + "\" at " + e.getPathReference());
    } catch (IOException e) {
      throw new InvalidSpecException(source + ": not a VectorShardCluster document: " + e.getMessage());
    }
    SpecValidation.requireValid(manifest);
    return manifest;
  }

  private static void requireType(JsonNode document, String source) {
    List<String> problems = new ArrayList<>();
    if (!VectorShardCluster.API_VERSION.equals(document.path("apiVersion").asText(null))) {
      problems.add("apiVersion must be " + VectorShardCluster.API_VERSION);
    }
    if (!VectorShardCluster.KIND.equals(document.path("kind").asText(null))) {
      problems.add("kind must be " + VectorShardCluster.KIND);
    }
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(source + ": invalid VectorShardCluster: " + String.join("; ", problems));
    }
  }
}
