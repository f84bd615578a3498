package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A {@code VectorShardCluster} document as written in YAML ({@code apiVersion}, {@code kind},
 * {@code metadata.name}, {@code spec}). Local mode reads exactly what {@code kubectl apply} takes.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class VectorShardClusterManifest {
  public static final String API_VERSION = "vectorshard.io/v1alpha1";
  public static final String KIND = "VectorShardCluster";

  private String apiVersion;
  private String kind;
  private Metadata metadata = new Metadata();
  private VectorShardClusterSpec spec = new VectorShardClusterSpec();

  public String getApiVersion() { return apiVersion; }
  public void setApiVersion(String apiVersion) { this.apiVersion = apiVersion; }
  public String getKind() { return kind; }
  public void setKind(String kind) { this.kind = kind; }
  public Metadata getMetadata() { return metadata; }
  public void setMetadata(Metadata metadata) { this.metadata = metadata; }
  public VectorShardClusterSpec getSpec() { return spec; }
  public void setSpec(VectorShardClusterSpec spec) { this.spec = spec; }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class Metadata {
    private String name;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
  }
}
